import type { Writable } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { Principal } from '../../access/principal.js';
import { ActivityLog } from '../../audit/activity-log.js';
import type { InboxFilter } from '../search/inbox-query.js';
import { PecInbox, type InboxKey } from '../search/pec-inbox.js';
import { PecMessageRepository } from '../store/pec-message.repository.js';
import { MessageContent } from '../store/message-content.js';
import { ReceiptSources } from './receipt-sources.js';
import { mboxrdEntry } from './mboxrd.js';
import { closed, drained, writeZip } from './zip-stream.js';

export type ExportFormat = 'zip' | 'mbox';

/** What to export: the rows matching a filter, or only the given ids among them. */
export interface ExportSelection {
  filter: InboxFilter;
  ids?: string[];
}

/**
 * Exports messages of the inbox as their RFC 822 sources (issue #5 item 10): `.eml` files in a ZIP,
 * byte-identical to what was sent or received, or one mboxrd file. Streamed: one row is read and
 * unsealed at a time and the next waits until the client has taken the last, so a whole mailbox is
 * never in memory. What was exported, by whom, goes to the activity log once the stream ends.
 */
@Injectable()
export class PecExport {
  private readonly logger = new Logger(PecExport.name);

  constructor(
    private readonly inbox: PecInbox,
    private readonly messages: PecMessageRepository,
    private readonly receiptSources: ReceiptSources,
    private readonly content: MessageContent,
    private readonly activity: ActivityLog,
  ) {}

  /** The download: headers, then the stream (from here on an error can only break the connection). */
  async send(principal: Principal, format: ExportFormat, selection: ExportSelection, res: Response): Promise<void> {
    const stamp = new Date().toISOString().slice(0, 10);
    res.setHeader('Content-Type', format === 'zip' ? 'application/zip' : 'application/mbox');
    res.setHeader('Content-Disposition', `attachment; filename="pec-${stamp}.${format}"`);
    await this.write(principal, format, selection, res);
  }

  private async write(principal: Principal, format: ExportFormat, selection: ExportSelection, out: Writable): Promise<void> {
    const progress = { count: 0 };
    let completed = true;
    try {
      await (format === 'zip' ? this.zip(principal, selection, out, progress) : this.mbox(principal, selection, out, progress));
    } catch (error) {
      // Headers are gone: all that can be said to the client is that the download broke.
      completed = false;
      this.logger.warn(`PEC export stopped after ${progress.count} messages: ${(error as Error).message}`);
      out.destroy();
    }
    // A broken download is recorded too: what left before the break was exported.
    await this.activity.record({
      action: 'pec.messages-exported',
      actor: { id: principal.userId, email: principal.email },
      details: { format, count: progress.count, completed, filter: selection.filter, ...(selection.ids ? { ids: selection.ids } : {}) },
    });
  }

  private async zip(principal: Principal, selection: ExportSelection, out: Writable, progress: { count: number }): Promise<void> {
    const keys = this.inbox.keys(principal, selection.filter, selection.ids);
    const entries = async function* (source: (key: InboxKey) => Promise<Buffer>) {
      for await (const key of keys) yield { name: entryName(key), date: key.at, content: () => source(key) };
    };
    await writeZip(
      out,
      entries((key) => this.source(key)),
      () => (progress.count += 1),
    );
  }

  private async mbox(principal: Principal, selection: ExportSelection, out: Writable, progress: { count: number }): Promise<void> {
    const stop = closed(out);
    stop.catch(() => undefined);
    for await (const key of this.inbox.keys(principal, selection.filter, selection.ids)) {
      out.write(mboxrdEntry(await this.source(key), key.from, key.at));
      await Promise.race([drained(out), stop]);
      progress.count += 1;
    }
    out.end();
  }

  /** The row's RFC 822 source, unsealed with the context its writer sealed it with. */
  private async source(key: InboxKey): Promise<Buffer> {
    if (key.entry === 'receipt') return this.receiptSources.source(key.id);
    const message = await this.messages
      .query('m')
      .select(['m.id', 'm.direction', 'm.source'])
      .andWhere('m.id = :id', { id: key.id })
      .getOneOrFail();
    const source = await this.content.source(message);
    if (!source) throw new Error(`PEC message ${key.id} has no stored source`);
    return source;
  }
}

/** `2026-11-26_Avviso-di-pagamento_<id>.eml`: sorted by date in a file manager, unique by id. */
function entryName(key: InboxKey): string {
  const slug =
    key.subject
      .normalize('NFKD')
      .replace(/[^\w\s-]/g, '')
      .trim()
      .replace(/\s+/g, '-')
      .slice(0, 60) || 'pec';
  return `${key.at.toISOString().slice(0, 10)}_${slug}_${key.id}.eml`;
}
