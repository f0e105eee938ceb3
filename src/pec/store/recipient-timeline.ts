import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import { TenantContext } from '../../db/tenant-context.js';
import type { PecStatusChanged } from '../correlation/pec-status-events.js';
import { advance, messageStatusOf, type RecipientStatus } from '../correlation/recipient-states.js';
import type { PecMessage, PecRecipientRow } from './pec-message.entities.js';
import { PecMessageRepository, PecRecipientRepository } from './pec-message.repository.js';

export interface TimelineEvent {
  /** What happened: `queued`, `sending`, `submitted`, `throttled`, a receipt kind, … */
  kind: string;
  /** Where the recipients should go (the state machine decides whether they do). */
  target: RecipientStatus;
  at?: Date;
  receiptMessageId?: string | null;
  providerId?: string | null;
  /** Set on the recipient when it moves (an error code, an SMTP reply). */
  error?: string | null;
  details?: Record<string, unknown>;
}

/** One event applied to some recipients of one message, with what it changes on the message itself. */
export interface TimelineMove {
  message: PecMessage;
  rows: PecRecipientRow[];
  event: TimelineEvent;
  messagePatch?: Partial<PecMessage>;
}

/** A row of pec_recipient_events before it is written. */
interface TimelineLine {
  recipientId: string;
  kind: string;
  status: RecipientStatus;
  at: Date;
  receiptMessageId: string | null;
  providerId: string | null;
  details: Record<string, unknown>;
}

/** A recipient's new state and what the event sets on it, as the batch UPDATE takes it. */
interface RecipientPatch {
  status: RecipientStatus;
  error?: string | null;
  providerId?: string;
}

/**
 * The one place recipients change state: inside the caller's transaction it moves them, writes a
 * timeline line for each (also when the state stays: the receipt is still evidence), recomputes the
 * message's status and returns the changes for the bus, to publish after the commit.
 */
@Injectable()
export class RecipientTimeline {
  constructor(
    private readonly messages: PecMessageRepository,
    private readonly recipients: PecRecipientRepository,
  ) {}

  move(
    manager: EntityManager,
    message: PecMessage,
    rows: PecRecipientRow[],
    event: TimelineEvent,
    messagePatch: Partial<PecMessage> = {},
  ): Promise<PecStatusChanged[]> {
    return this.moveAll(manager, [{ message, rows, event, messagePatch }]);
  }

  /**
   * Several moves, applied in order as if one after the other (a consegna after its accettazione in
   * the same batch of receipts), written with one statement per table instead of a few per
   * recipient: the intake correlates receipts by the hundred (docs/decisions/0032). A row or message
   * object given twice must be the same object, so the second move sees the first one's state.
   */
  async moveAll(manager: EntityManager, moves: readonly TimelineMove[]): Promise<PecStatusChanged[]> {
    const tenantId = TenantContext.current().tenantId;
    const messageIds = [...new Set(moves.map((move) => move.message.id))];
    // Every recipient's state, for the messages' status: what is stored, then what the moves change.
    const statuses = new Map<string, Map<string, RecipientStatus>>(messageIds.map((id) => [id, new Map()]));
    for (const row of await this.recipients.within(manager).find({ messageId: In(messageIds) })) {
      statuses.get(row.messageId)!.set(row.id, row.status);
    }
    const lines: TimelineLine[] = [];
    const changes: { change: Omit<PecStatusChanged, 'seq'>; line: number }[] = [];
    const recipientPatches = new Map<string, RecipientPatch>();
    const messagePatches = new Map<string, { message: PecMessage; patch: Partial<PecMessage> }>();
    for (const { message, rows, event, messagePatch = {} } of moves) {
      for (const row of rows) {
        const next = advance(row.status, event.target);
        lines.push({
          recipientId: row.id,
          kind: event.kind,
          status: next,
          at: event.at ?? new Date(),
          receiptMessageId: event.receiptMessageId ?? null,
          providerId: event.providerId ?? null,
          details: event.details ?? {},
        });
        if (next === row.status) continue;
        const patch = recipientPatches.get(row.id) ?? { status: next };
        patch.status = next;
        if (event.error !== undefined) patch.error = event.error;
        if (event.providerId) patch.providerId = event.providerId;
        recipientPatches.set(row.id, patch);
        const change = {
          tenantId,
          messageId: message.id,
          mailboxId: message.mailboxId,
          address: row.address,
          from: row.status,
          to: next,
          kind: event.kind,
        };
        changes.push({ change, line: lines.length - 1 });
        row.status = next;
        statuses.get(message.id)!.set(row.id, next);
      }
      const status = messageStatusOf([...statuses.get(message.id)!.values()]);
      Object.assign(message, messagePatch, { status });
      const pending = messagePatches.get(message.id);
      messagePatches.set(message.id, { message, patch: { ...pending?.patch, ...messagePatch, status } });
    }
    const seqs = await this.insertLines(manager, tenantId, lines);
    await this.updateRecipients(manager, tenantId, recipientPatches);
    await this.updateMessages(manager, tenantId, [...messagePatches.values()]);
    return changes.map(({ change, line }) => ({ ...change, seq: seqs[line]! }));
  }

  /**
   * The timeline lines in one INSERT, `seq` drawn in the order given (the SELECT is ordered and
   * RETURNING follows the rows inserted), so a subscriber resuming from a seq sees them in order.
   */
  private async insertLines(manager: EntityManager, tenantId: string, lines: TimelineLine[]): Promise<string[]> {
    if (lines.length === 0) return [];
    const rows = await manager.query<{ seq: string }[]>(
      `INSERT INTO pec_recipient_events (tenant_id, recipient_id, kind, status, at, receipt_message_id, provider_id, details)
       SELECT $1, l.recipient_id, l.kind, l.status, l.at, l.receipt_message_id, l.provider_id, l.details
       FROM unnest($2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::jsonb[])
            WITH ORDINALITY AS l(recipient_id, kind, status, at, receipt_message_id, provider_id, details, n)
       ORDER BY l.n
       RETURNING seq`,
      [
        tenantId,
        lines.map((l) => l.recipientId),
        lines.map((l) => l.kind),
        lines.map((l) => l.status),
        lines.map((l) => l.at),
        lines.map((l) => l.receiptMessageId),
        lines.map((l) => l.providerId),
        lines.map((l) => JSON.stringify(l.details)),
      ],
    );
    return rows.map((row) => String(row.seq));
  }

  /**
   * The messages' new status, and the provider id an accettazione taught: what receipts change, for all
   * the messages of a batch in one UPDATE. A sender's move also sets its own columns (attemptedAt,
   * sentAt) on its one message: that goes through the repository.
   */
  private async updateMessages(
    manager: EntityManager,
    tenantId: string,
    patches: readonly { message: PecMessage; patch: Partial<PecMessage> }[],
  ): Promise<void> {
    if (patches.length === 0) return;
    if (patches.some(({ patch }) => Object.keys(patch).some((key) => key !== 'status' && key !== 'providerId'))) {
      for (const { message, patch } of patches)
        await this.messages.within(manager).update({ id: message.id }, { ...patch, updatedAt: new Date() });
      return;
    }
    await manager.query(
      `UPDATE pec_messages m SET status = p.status, provider_id = COALESCE(p.provider_id, m.provider_id), updated_at = now()
       FROM unnest($2::uuid[], $3::text[], $4::text[]) AS p(id, status, provider_id)
       WHERE m.tenant_id = $1 AND m.id = p.id`,
      [
        tenantId,
        patches.map(({ message }) => message.id),
        patches.map(({ patch }) => patch.status),
        patches.map(({ patch }) => patch.providerId ?? null),
      ],
    );
  }

  /** The recipients that moved, in one UPDATE; an error or provider id the event did not set stays as stored. */
  private async updateRecipients(manager: EntityManager, tenantId: string, patches: Map<string, RecipientPatch>): Promise<void> {
    if (patches.size === 0) return;
    const entries = [...patches];
    await manager.query(
      `UPDATE pec_recipients r
       SET status = p.status, updated_at = now(),
           error = CASE WHEN p.sets_error THEN p.error ELSE r.error END,
           provider_id = COALESCE(p.provider_id, r.provider_id)
       FROM unnest($2::uuid[], $3::text[], $4::boolean[], $5::text[], $6::text[]) AS p(id, status, sets_error, error, provider_id)
       WHERE r.tenant_id = $1 AND r.id = p.id`,
      [
        tenantId,
        entries.map(([id]) => id),
        entries.map(([, p]) => p.status),
        entries.map(([, p]) => p.error !== undefined),
        entries.map(([, p]) => p.error ?? null),
        entries.map(([, p]) => p.providerId ?? null),
      ],
    );
  }
}
