import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import { DataSource } from 'typeorm';
import type { Principal } from '../access/principal.js';
import { Visibility } from '../access/visibility.js';
import { ProblemException } from '../api/problem.js';
import { ActivityLog } from '../audit/activity-log.js';
import type { Locale } from '../i18n/locale.js';
import { translate } from '../i18n/translate.js';
import type { Mailbox } from '../mailboxes/mailbox.entity.js';
import { PlugInvocation } from '../plugs/plug-invocation.js';
import { MailboxRepository } from '../mailboxes/mailbox.repository.js';
import { SecretBox } from '../secrets/secret-box.js';
import { PecStatusEvents } from './correlation/pec-status-events.js';
import { PecSender } from './sending/pec-sender.js';
import { composedFiles, SOURCE_KEY, type StoredAttachment } from './store/incoming-content.js';
import type { IncomingDetails } from './store/incoming-details.js';
import { apiFileUrl, MessageContent, type FileUrl } from './store/message-content.js';
import { sendCall } from './sending/send-metering.js';
import { PecMessage, type ShownMessage } from './store/pec-message.entities.js';
import type { MessageView, NewPecMessage, ReceiptView } from './store/pec-message-input.js';
import { PecMessageRepository, PecReceiptRepository, PecRecipientRepository } from './store/pec-message.repository.js';
import { LISTED_RECEIPT_COLUMNS, messageView, receiptView } from './store/pec-message-views.js';
import { RecipientTimeline } from './store/recipient-timeline.js';
import { writeSearchDocument } from './search/search-document.js';

/** A file to attach to a message we send: uploaded (multipart) or given in the JSON body as base64. */
export interface OutgoingAttachment {
  filename: string;
  contentType?: string;
  content: Buffer;
}

/** What a reply carries so that mail clients thread it under the message it answers (RFC 5322 §3.6.4). */
interface Threading {
  inReplyTo: string;
  references: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * PEC messages as people and the API see them: composing one (checked against the mailbox's limits,
 * stored sealed with its recipients `queued`, then handed to the sender's queue), reading one with
 * each recipient's timeline (the list is PecInbox's). Visibility: the messages of the mailboxes of one's offices.
 */
@Injectable()
export class PecMessages {
  /** Every column of a message but its sealed source (ShownMessage). */
  private readonly shownColumns: string[];

  constructor(
    private readonly dataSource: DataSource,
    private readonly messages: PecMessageRepository,
    private readonly recipients: PecRecipientRepository,
    private readonly receipts: PecReceiptRepository,
    private readonly mailboxes: MailboxRepository,
    private readonly timeline: RecipientTimeline,
    private readonly sender: PecSender,
    private readonly bus: PecStatusEvents,
    private readonly visibility: Visibility,
    private readonly secrets: SecretBox,
    private readonly activity: ActivityLog,
    private readonly content: MessageContent,
    private readonly plugs: PlugInvocation,
  ) {
    this.shownColumns = dataSource
      .getMetadata(PecMessage)
      .columns.filter((column) => column.propertyName !== 'source')
      .map((column) => `m.${column.propertyPath}`);
  }

  /** `uploads`: files of a multipart request, attached after those of the JSON body. */
  async send(principal: Principal, input: NewPecMessage, locale: Locale, uploads: OutgoingAttachment[] = []): Promise<{ id: string }> {
    const mailbox = await this.sendingMailbox(principal, input.mailboxId);
    const threading = input.replyTo ? threadingOf(await this.visible(principal, input.replyTo)) : undefined;
    const attachments = [
      ...input.attachments.map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        content: Buffer.from(a.contentBase64, 'base64'),
      })),
      ...uploads,
      ...(input.forwardOf ? [await this.forwarded(principal, input.forwardOf)] : []),
    ];
    const to = unique(input.to);
    const cc = unique(input.cc).filter((address) => !to.includes(address));
    const all = [...to, ...cc];
    if (all.length > mailbox.maxRecipients)
      throw new ProblemException(422, 'validation', undefined, {
        errors: [{ field: 'to', message: translate(locale, 'pecMessages.error.tooManyRecipients', { max: mailbox.maxRecipients }) }],
      });
    const id = randomUUID();
    const messageId = `${createHash('sha256')
      .update(`${id}\n${[...all].sort().join('\n')}`)
      .digest('hex')
      .slice(0, 40)}@${domainOf(mailbox.address)}`;
    const raw = await compose({ from: mailbox.address, messageId, to, cc, input, attachments, threading });
    // RFC 6109 §3.1.1: the provider checks size × recipients against its limit; the profile holds ours.
    const limit = mailbox.maxMessageMb * 1024 * 1024;
    if (raw.length * all.length > limit)
      throw new ProblemException(413, 'too-large', translate(locale, 'pecMessages.error.tooLarge', { mb: mailbox.maxMessageMb }));
    const { changes, hold } = await this.dataSource.transaction(async (manager) => {
      const message = await this.messages.within(manager).insert({
        id,
        mailboxId: mailbox.id,
        direction: 'out',
        kind: 'posta-certificata',
        status: 'queued',
        messageId,
        subject: input.subject,
        fromAddress: mailbox.address,
        toAddresses: to,
        ccAddresses: cc,
        receiptType: input.receiptType,
        body: this.secrets.seal(JSON.stringify({ text: input.text ?? null, html: input.html ?? null }), `pec-message-body:${id}`),
        source: this.secrets.sealBytes(raw, `pec-message:${id}`),
        parsed: { attachments: composedFiles(attachments, raw.length) },
        createdBy: principal.userId,
      });
      await writeSearchDocument(manager, id, {
        text: input.text,
        html: input.html,
        attachmentNames: input.attachments.map((attachment) => attachment.filename),
      });
      const rows = [];
      for (const [field, addresses] of [
        ['to', to],
        ['cc', cc],
      ] as const)
        for (const address of addresses)
          rows.push(await this.recipients.within(manager).insert({ messageId: id, address, field, status: 'queued' }));
      const moved = await this.timeline.move(manager, message, rows, { kind: 'queued', target: 'queued' });
      // Last, so the tenant's beats stay locked for the shortest time. Without the beats it throws
      // BeatsExhausted (402) and the transaction takes the message back with it: nothing is queued.
      const held = await this.plugs.hold(sendCall(id, all.length, { userId: principal.userId, email: principal.email }), manager);
      return { changes: moved, hold: held };
    });
    await hold.recordActivity();
    this.bus.publish(changes);
    await this.sender.enqueue(id);
    await this.activity.record({
      action: 'pec.message-queued',
      actor: { id: principal.userId, email: principal.email },
      resource: { type: 'pec-message', id },
      details: {
        mailboxId: mailbox.id,
        recipients: all.length,
        receiptType: input.receiptType,
        bytes: raw.length,
        ...(input.replyTo ? { replyTo: input.replyTo } : {}),
        ...(input.forwardOf ? { forwardOf: input.forwardOf } : {}),
      },
    });
    return { id };
  }

  /** `fileUrl`: where the body's inline images are downloaded from (the API's route unless a page asks for its own). */
  async get(principal: Principal, id: string, locale: Locale, fileUrl: FileUrl = apiFileUrl): Promise<MessageView> {
    const message = await this.visible(principal, id);
    const rows = await this.recipients.withEvents(id);
    const files = await this.content.files(message);
    return messageView(message, rows, { body: this.content.body(message, locale, files, fileUrl), files });
  }

  /** One file of a message the caller sees (an attachment, daticert.xml, postacert.eml, the whole .eml); 404 otherwise. */
  async attachment(principal: Principal, id: string, key: string): Promise<{ file: StoredAttachment; content: Buffer }> {
    const found = await this.content.file(await this.visible(principal, id), key);
    if (!found) throw new ProblemException(404, 'not-found');
    return found;
  }

  /** The mailboxes the caller may send from, for the compose page. */
  sendableMailboxes(principal: Principal): Promise<{ id: string; address: string }[]> {
    return this.mailboxesFor(principal, 'act');
  }

  /** The mailboxes the caller sees, for the inbox's filter. */
  visibleMailboxes(principal: Principal): Promise<{ id: string; address: string }[]> {
    return this.mailboxesFor(principal, 'see');
  }

  /** Receipts of the caller's mailboxes; `matched: false` lists those that matched nothing we sent (no message, no campaign recipient). */
  async receiptsOf(principal: Principal, matched: boolean | undefined): Promise<{ receipts: ReceiptView[] }> {
    const mailboxes = await this.visibleMailboxes(principal);
    if (mailboxes.length === 0) return { receipts: [] };
    const builder = this.receipts
      .query('r')
      .select(LISTED_RECEIPT_COLUMNS.map((column) => `r.${column}`))
      .andWhere('r.mailbox_id IN (:...ids)', { ids: mailboxes.map((mailbox) => mailbox.id) })
      .orderBy('r.received_at', 'DESC')
      .take(200);
    // Matched: to one of our messages, or applied by the module that sent it (a campaign's recipient).
    const unmatched = 'r.message_id IS NULL AND r.forwarded_to IS NULL';
    if (matched !== undefined) builder.andWhere(matched ? `NOT (${unmatched})` : unmatched);
    return { receipts: (await builder.getMany()).map(receiptView) };
  }

  private async mailboxesFor(principal: Principal, action: 'see' | 'act'): Promise<{ id: string; address: string }[]> {
    const query = this.mailboxes.query('mb').orderBy('mb.address', 'ASC');
    const rows = await (await this.visibility.restrict(query, 'mb', 'mailbox', action, principal)).getMany();
    return rows.map((row) => ({ id: row.id, address: row.address }));
  }

  /**
   * A forward carries the message whole, as received: for a PEC the busta with the provider's
   * signature and daticert, so whoever receives it can still verify it.
   */
  private async forwarded(principal: Principal, id: string): Promise<OutgoingAttachment> {
    const original = await this.visible(principal, id);
    const found = await this.content.file(original, SOURCE_KEY);
    if (!found) throw new ProblemException(404, 'not-found');
    const name =
      original.subject
        .replace(/[\\/:*?"<>|\r\n\t]+/g, ' ')
        .trim()
        .slice(0, 100) || 'messaggio';
    return { filename: `${name}.eml`, contentType: 'message/rfc822', content: found.content };
  }

  /** A message the caller sees (the mailbox's offices), else 404: the API's and the drafts' one check. Without its source. */
  async visible(principal: Principal, id: string): Promise<ShownMessage> {
    if (!UUID.test(id)) throw new ProblemException(404, 'not-found');
    const query = this.messages.query('m').select(this.shownColumns).andWhere('m.id = :id', { id });
    const message = await (await this.visibility.restrict(query, 'm', 'pec-message', 'see', principal)).getOne();
    if (!message) throw new ProblemException(404, 'not-found');
    return message;
  }

  /** A mailbox the caller sees (else 404) and may send from (else 403); campaigns ask the same before a draft. */
  async sendingMailbox(principal: Principal, id: string): Promise<Mailbox> {
    const query = () => this.mailboxes.query('mb').andWhere('mb.id = :id', { id });
    const seen = await (await this.visibility.restrict(query(), 'mb', 'mailbox', 'see', principal)).getOne();
    if (!seen) throw new ProblemException(404, 'not-found');
    const allowed = await (await this.visibility.restrict(query(), 'mb', 'mailbox', 'act', principal)).getOne();
    if (!allowed) throw new ProblemException(403, 'forbidden');
    return allowed;
  }
}

interface Composition {
  from: string;
  messageId: string;
  to: string[];
  cc: string[];
  input: NewPecMessage;
  attachments: OutgoingAttachment[];
  threading: Threading | undefined;
}

/** The RFC 822 source, built once and stored: every attempt submits these same bytes. */
async function compose({ from, messageId, to, cc, input, attachments, threading }: Composition): Promise<Buffer> {
  const builder = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const info = await builder.sendMail({
    from,
    to,
    cc,
    subject: input.subject,
    text: input.text,
    html: input.html,
    messageId: `<${messageId}>`,
    ...(threading ? { inReplyTo: `<${threading.inReplyTo}>`, references: threading.references.map((id) => `<${id}>`) } : {}),
    // pec-protocol.md §6: completa is the default, so only the other two are asked for.
    headers: input.receiptType === 'completa' ? {} : { 'X-TipoRicevuta': input.receiptType },
    // nodemailer makes a message/rfc822 part inline, which readers then show as part of the text.
    attachments: attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: a.content,
      contentDisposition: 'attachment',
    })),
  });
  return info.message as Buffer;
}

/**
 * A reply points at the Message-ID its recipient saw: for a received PEC that is the original inside
 * postacert.eml (the provider's identificativo, pec-protocol.md §4), for one we sent our own.
 */
function threadingOf(message: ShownMessage): Threading {
  const original = message.direction === 'in' ? (message.parsed as unknown as IncomingDetails).original : undefined;
  const inReplyTo = original?.messageId ?? message.messageId;
  return { inReplyTo, references: [...(original?.references ?? []), inReplyTo] };
}

function unique(addresses: string[]): string[] {
  return [...new Set(addresses.map((address) => address.toLowerCase()))];
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}
