import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TenantScopedRepository } from '../../db/tenant-scoped.repository.js';
import type { Locale } from '../../i18n/locale.js';
import { translate } from '../../i18n/translate.js';
import { SecretBox } from '../../secrets/secret-box.js';
import { InboundMessage } from '../intake/inbound-message.entity.js';
import { sourceContext } from '../intake/intake-store.js';
import { fileContent, readContent, type StoredAttachment } from './incoming-content.js';
import type { IncomingDetails } from './incoming-details.js';
import { sanitiseMailHtml } from './mail-html.js';
import { PecMessage, type ShownMessage } from './pec-message.entities.js';

/** Where a file of a message is downloaded from, by the message's id and the file's key. */
export type FileUrl = (messageId: string, key: string) => string;

export const apiFileUrl: FileUrl = (messageId, key) => `/api/v1/messages/${messageId}/attachments/${encodeURIComponent(key)}`;

export interface MessageBody {
  text: string | null;
  /** Sanitised (mail-html.ts): safe to put in a page as is. */
  html: string | null;
}

/**
 * The content of a stored message, opened for a person who may see it (the caller checked): its
 * body and its files. An outgoing message's bytes are its own sealed source; an incoming one's are the
 * intake's sealed source (`pec_inbound_messages`, same id), never copied.
 */
@Injectable()
export class MessageContent {
  private readonly inbound: TenantScopedRepository<InboundMessage>;
  private readonly messages: TenantScopedRepository<PecMessage>;

  constructor(
    dataSource: DataSource,
    private readonly secrets: SecretBox,
  ) {
    this.inbound = new TenantScopedRepository(dataSource, InboundMessage);
    this.messages = new TenantScopedRepository(dataSource, PecMessage);
  }

  /**
   * `files` are the message's (`files()`): an inline image among them is shown where the HTML names
   * it, from `fileUrl` (the page's or the API's download route: each has its own sign-in).
   */
  body(message: Pick<ShownMessage, 'id' | 'body'>, locale: Locale, files: StoredAttachment[], fileUrl: FileUrl): MessageBody {
    const body = this.open(message);
    return {
      text: body.text,
      html: body.html
        ? sanitiseMailHtml(body.html, translate(locale, 'pecMessages.blockedImage'), inlineImages(message, files, fileUrl))
        : null,
    };
  }

  /** The plain text alone (what a reply quotes): nothing to sanitise. */
  text(message: Pick<ShownMessage, 'id' | 'body'>): string | null {
    return this.open(message).text;
  }

  private open(message: Pick<ShownMessage, 'id' | 'body'>): { text: string | null; html: string | null } {
    if (!message.body) return { text: null, html: null };
    return JSON.parse(this.secrets.open(message.body, `pec-message-body:${message.id}`)) as { text: string | null; html: string | null };
  }

  /** Listed when the message was stored (at intake, or when composed); read from the source for messages sent before that. */
  async files(message: ShownMessage): Promise<StoredAttachment[]> {
    const listed = (message.parsed as Partial<IncomingDetails> | null)?.attachments;
    if (listed) return listed;
    const source = await this.source(message);
    return source ? (await readContent(source, 'not-pec')).files : [];
  }

  async file(message: ShownMessage, key: string): Promise<{ file: StoredAttachment; content: Buffer } | undefined> {
    const source = await this.source(message);
    if (!source) return undefined;
    return fileContent(source, message.direction === 'in' ? message.kind : 'not-pec', key);
  }

  /**
   * The RFC 822 source as sent or received: ours for outgoing (read here unless the caller selected
   * it), the intake's for incoming (same id).
   */
  async source(message: Pick<PecMessage, 'id' | 'direction'> & Partial<Pick<PecMessage, 'source'>>): Promise<Buffer | undefined> {
    if (message.direction === 'out') {
      const sealed = message.source !== undefined ? message.source : await this.ownSource(message.id);
      return sealed ? this.secrets.openBytes(sealed, `pec-message:${message.id}`) : undefined;
    }
    const row = await this.inbound.findOne({ id: message.id });
    return row ? this.secrets.openBytes(row.raw, sourceContext(row.id)) : undefined;
  }

  private async ownSource(id: string): Promise<Buffer | null> {
    const row = await this.messages.query('m').select(['m.id', 'm.source']).andWhere('m.id = :id', { id }).getOne();
    return row?.source ?? null;
  }
}

/** Content-ID → download URL of the message's inline images (only images: a `cid:` is only honoured in `<img>`). */
function inlineImages(message: Pick<ShownMessage, 'id'>, files: StoredAttachment[], fileUrl: FileUrl): Map<string, string> {
  return new Map(
    files
      .filter((file) => file.contentId && file.contentType.toLowerCase().startsWith('image/'))
      .map((file) => [file.contentId!, fileUrl(message.id, file.key)]),
  );
}
