import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, In, type EntityManager } from 'typeorm';
import { TenantContext } from '../../db/tenant-context.js';
import { SecretBox } from '../../secrets/secret-box.js';
import type { PecResult } from '../pec-result.js';
import type { PecMessage, PecRecipientRow } from '../store/pec-message.entities.js';
import { PecMessageRepository, PecRecipientRepository } from '../store/pec-message.repository.js';
import { RecipientTimeline, type TimelineEvent, type TimelineMove } from '../store/recipient-timeline.js';
import { PecStatusEvents } from './pec-status-events.js';
import { ReceiptTargets, type ReceiptTarget } from './receipt-targets.js';
import type { RecipientStatus } from './recipient-states.js';

export type Correlation =
  | { outcome: 'applied'; messageId: string }
  /** About a message another module sent (receipt-targets.ts): applied there. */
  | { outcome: 'forwarded'; target: string }
  | { outcome: 'unmatched' }
  /** The same receipt (by its own Message-ID) was applied before: nothing changed. */
  | { outcome: 'duplicate' }
  /** Not a receipt (a busta, an anomalia, ordinary mail): the intake stores it as an incoming message. */
  | { outcome: 'not-a-receipt' };

/** The context a receipt's own copy of its source is sealed under. */
export const receiptSourceContext = (mailboxId: string, receiptMessageId: string): string => `pec-receipt:${mailboxId}:${receiptMessageId}`;

/** A stored receipt and what it matched: one of our messages, or the module it was forwarded to. */
interface Link {
  id: string;
  messageId: string | null;
  forwardedTo: string | null;
}

/** A parsed receipt, its source and the mailbox it was read from. */
export interface ReceiptToApply {
  parsed: PecResult;
  raw: Buffer;
  mailboxId: string;
  /** The intake's row of the receipt, which keeps its sealed source: the receipt points at it instead of keeping a copy. */
  inboundMessageId?: string;
}

/** Per-recipient receipts name their recipient in `<consegna>`; the others are about every recipient. */
const TARGETS: Partial<Record<PecResult['kind'], (parsed: PecResult) => { target: RecipientStatus; perRecipient: boolean }>> = {
  accettazione: () => ({ target: 'accepted', perRecipient: false }),
  'non-accettazione': () => ({ target: 'refused', perRecipient: false }),
  // Per recipient through its <ricezione> list (an empty list: every recipient).
  'presa-in-carico': () => ({ target: 'accepted', perRecipient: false }),
  'avvenuta-consegna': () => ({ target: 'delivered', perRecipient: true }),
  // pec-protocol.md §7: a notice with 5.4.1 is the final 24 h failure, whatever type the provider gave it.
  'errore-consegna': (parsed) => ({ target: parsed.errorDetails?.timeout ? 'failed-timeout' : 'failed', perRecipient: true }),
  'preavviso-errore-consegna': (parsed) => ({ target: parsed.errorDetails?.timeout ? 'failed-timeout' : 'warned', perRecipient: true }),
  'rilevazione-virus': () => ({ target: 'failed', perRecipient: true }),
};

/**
 * Links a parsed receipt to the message we sent and moves its recipients (issue #5 item 6). The
 * receipt is keyed on its own Message-ID: applying it twice changes nothing. The message is found by
 * our Message-ID (`X-Riferimento-Message-ID`, else daticert `msgid`), else by the provider's
 * identificativo learnt from the accettazione; the recipient by `<consegna>`. A receipt that matches
 * nothing is kept, sealed, and listed (`GET /api/v1/pec-receipts?matched=false`).
 * Called in the tenant's context by whoever read the receipt (the IMAP intake's job, the tests).
 */
@Injectable()
export class ReceiptCorrelator {
  constructor(
    private readonly dataSource: DataSource,
    private readonly messages: PecMessageRepository,
    private readonly recipients: PecRecipientRepository,
    private readonly timeline: RecipientTimeline,
    private readonly bus: PecStatusEvents,
    private readonly secrets: SecretBox,
    private readonly targets: ReceiptTargets,
  ) {}

  async apply(parsed: PecResult, raw: Buffer, mailboxId: string): Promise<Correlation> {
    const [result] = await this.applyAll([{ parsed, raw, mailboxId }]);
    return result!;
  }

  /**
   * Several receipts in one transaction, as if applied one after the other in the order given (an
   * avvenuta consegna after its accettazione): one statement per table for the lot rather than a
   * dozen round trips per receipt (docs/decisions/0032). The changes are published after the commit.
   */
  async applyAll(items: readonly ReceiptToApply[]): Promise<Correlation[]> {
    const results: Correlation[] = items.map(() => ({ outcome: 'not-a-receipt' }));
    const receipts = items.flatMap((item, index) => {
      const rule = TARGETS[item.parsed.kind];
      // A receipt without a Message-ID (none seen in the corpus) is keyed on its bytes.
      const receiptMessageId = item.parsed.messageId ?? `sha256:${createHash('sha256').update(item.raw).digest('hex')}`;
      return rule ? [{ ...item, index, rule, receiptMessageId }] : [];
    });
    if (receipts.length === 0) return results;
    const changes = await this.dataSource.transaction(async (manager) => {
      const inserted = await this.insertReceipts(manager, receipts);
      const messages = await this.matching(manager, receipts);
      // Receipts of this batch that name our message by the identificativo its accettazione (also in this batch) taught us.
      const learnt = new Map<string, PecMessage>();
      const recipients = await this.recipientsOf(manager, messages);
      const moves: TimelineMove[] = [];
      const linked: Link[] = [];
      for (const receipt of receipts) {
        const { parsed, mailboxId, receiptMessageId } = receipt;
        const key = `${mailboxId} ${receiptMessageId}`;
        const id = inserted.get(key);
        // ON CONFLICT made "first application wins" one statement, also between two workers racing on the same receipt.
        inserted.delete(key);
        if (!id) {
          results[receipt.index] = { outcome: 'duplicate' };
          continue;
        }
        const owner = this.targets.owner(parsed.referencesMessageId);
        if (owner) {
          results[receipt.index] = await forward(manager, owner, parsed, receipt.rule(parsed).target);
          if (results[receipt.index]!.outcome === 'forwarded') linked.push({ id, messageId: null, forwardedTo: owner.name });
          continue;
        }
        const message =
          matchOf(messages, parsed, mailboxId) ?? (parsed.providerId ? learnt.get(`${mailboxId} ${parsed.providerId}`) : undefined);
        if (!message) {
          results[receipt.index] = { outcome: 'unmatched' };
          continue;
        }
        linked.push({ id, messageId: message.id, forwardedTo: null });
        const { target, perRecipient } = receipt.rule(parsed);
        const all = recipients.get(message.id) ?? [];
        const concerned = new Set(concernedRecipients(parsed, perRecipient));
        const rows = concerned.size > 0 || perRecipient ? all.filter((row) => concerned.has(row.address)) : all;
        const event: TimelineEvent = {
          kind: parsed.kind,
          target,
          at: certifiedAt(parsed),
          receiptMessageId,
          providerId: parsed.providerId,
          error: parsed.error ?? (target === 'failed-timeout' ? 'timeout' : undefined),
          details: {
            ...(parsed.error ? { error: parsed.error } : {}),
            ...(parsed.errorDetails?.extended ? { errorExtended: parsed.errorDetails.extended } : {}),
          },
        };
        const messagePatch = parsed.kind === 'accettazione' && parsed.providerId ? { providerId: parsed.providerId } : {};
        if (messagePatch.providerId) learnt.set(`${mailboxId} ${messagePatch.providerId}`, message);
        // An accettazione types each recipient: `esterno` ones get ordinary mail and never a receipt.
        const external = new Set(parsed.kind === 'accettazione' ? externalRecipients(parsed) : []);
        moves.push(
          { message, rows: rows.filter((row) => !external.has(row.address)), event, messagePatch },
          { message, rows: rows.filter((row) => external.has(row.address)), event: { ...event, target: 'external' }, messagePatch },
        );
        results[receipt.index] = { outcome: 'applied', messageId: message.id };
      }
      await this.link(manager, linked);
      return this.timeline.moveAll(manager, moves);
    });
    this.bus.publish(changes);
    return results;
  }

  /** The receipts' rows, sealed, in one INSERT; returns the ids of those inserted by `<mailbox> <receipt Message-ID>`. */
  private async insertReceipts(
    manager: EntityManager,
    receipts: readonly (ReceiptToApply & { receiptMessageId: string })[],
  ): Promise<Map<string, string>> {
    const rows = await manager.query<{ id: string; mailbox_id: string; receipt_message_id: string }[]>(
      `INSERT INTO pec_receipts (tenant_id, mailbox_id, receipt_message_id, kind, references_message_id, provider_id, recipient, parsed, source,
                                 inbound_message_id)
       SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[], $9::bytea[], $10::uuid[])
       ON CONFLICT (tenant_id, mailbox_id, receipt_message_id) DO NOTHING
       RETURNING id, mailbox_id, receipt_message_id`,
      [
        TenantContext.current().tenantId,
        receipts.map((r) => r.mailboxId),
        receipts.map((r) => r.receiptMessageId),
        receipts.map((r) => r.parsed.kind),
        receipts.map((r) => r.parsed.referencesMessageId),
        receipts.map((r) => r.parsed.providerId),
        receipts.map((r) => r.parsed.recipient?.toLowerCase() ?? null),
        receipts.map((r) => JSON.stringify(withoutBodies(r.parsed))),
        receipts.map((r) =>
          r.inboundMessageId ? null : this.secrets.sealBytes(r.raw, receiptSourceContext(r.mailboxId, r.receiptMessageId)),
        ),
        receipts.map((r) => r.inboundMessageId ?? null),
      ],
    );
    return new Map(rows.map((row) => [`${row.mailbox_id} ${row.receipt_message_id}`, row.id]));
  }

  /**
   * The messages the receipts are about (by our Message-ID or the provider's identificativo), locked
   * so a concurrent batch about the same messages waits for this one; in id order, so two batches
   * never lock the same two messages in opposite orders.
   */
  private async matching(manager: EntityManager, receipts: readonly ReceiptToApply[]): Promise<PecMessage[]> {
    const references = receipts.flatMap(({ parsed }) => (parsed.referencesMessageId ? [parsed.referencesMessageId] : []));
    const providerIds = receipts.flatMap(({ parsed }) => (parsed.providerId ? [parsed.providerId] : []));
    return this.messages
      .within(manager)
      .query('m')
      .andWhere('m.mailbox_id = ANY(:mailboxIds)', { mailboxIds: [...new Set(receipts.map((r) => r.mailboxId))] })
      .andWhere("m.direction = 'out'")
      .andWhere(
        new Brackets((where) =>
          where.where('m.message_id = ANY(:references)', { references }).orWhere('m.provider_id = ANY(:providerIds)', { providerIds }),
        ),
      )
      .orderBy('m.id')
      .setLock('pessimistic_write')
      .getMany();
  }

  /** Every recipient of these messages, by message, in address order; a row object per recipient, shared by the moves. */
  private async recipientsOf(manager: EntityManager, messages: readonly PecMessage[]): Promise<Map<string, PecRecipientRow[]>> {
    const byMessage = new Map<string, PecRecipientRow[]>();
    if (messages.length === 0) return byMessage;
    const rows = await this.recipients.within(manager).find({ messageId: In(messages.map((m) => m.id)) }, { order: { address: 'ASC' } });
    for (const row of rows) byMessage.set(row.messageId, [...(byMessage.get(row.messageId) ?? []), row]);
    return byMessage;
  }

  /** Ties each receipt to our message, or notes the module that applied it: either makes it matched; one UPDATE. */
  private async link(manager: EntityManager, linked: readonly Link[]): Promise<void> {
    if (linked.length === 0) return;
    await manager.query(
      `UPDATE pec_receipts r SET message_id = l.message_id, forwarded_to = l.forwarded_to
         FROM unnest($2::uuid[], $3::uuid[], $4::text[]) AS l(id, message_id, forwarded_to)
        WHERE r.tenant_id = $1 AND r.id = l.id`,
      [TenantContext.current().tenantId, linked.map((l) => l.id), linked.map((l) => l.messageId), linked.map((l) => l.forwardedTo)],
    );
  }
}

/** Our message for a receipt: by our Message-ID, else by the provider's identificativo learnt from the accettazione. */
function matchOf(messages: readonly PecMessage[], parsed: PecResult, mailboxId: string): PecMessage | undefined {
  const mine = messages.filter((m) => m.mailboxId === mailboxId);
  const byId = parsed.referencesMessageId ? mine.find((m) => m.messageId === parsed.referencesMessageId) : undefined;
  if (byId || !parsed.providerId) return byId;
  return mine.find((m) => m.providerId === parsed.providerId);
}

/** A receipt of a message another module sent, applied by that module in the correlator's transaction. */
async function forward(manager: EntityManager, owner: ReceiptTarget, parsed: PecResult, target: RecipientStatus): Promise<Correlation> {
  const applied = await owner.apply(manager, {
    kind: parsed.kind,
    messageId: parsed.referencesMessageId!,
    target: parsed.kind === 'accettazione' && externalRecipients(parsed).length > 0 ? 'external' : target,
    recipient: parsed.recipient?.toLowerCase() ?? null,
    providerId: parsed.providerId,
    at: certifiedAt(parsed),
    error: parsed.error ?? (target === 'failed-timeout' ? 'timeout' : null),
    errorText: parsed.errorDetails?.extended ?? null,
  });
  return applied ? { outcome: 'forwarded', target: owner.name } : { outcome: 'unmatched' };
}

/**
 * The recipients a receipt is about: its `<consegna>` for a per-recipient one, the `<ricezione>`
 * list of a presa in carico; none means every recipient of the message.
 */
function concernedRecipients(parsed: PecResult, perRecipient: boolean): string[] {
  if (parsed.kind === 'presa-in-carico') return parsed.receivedFor.map((address) => address.toLowerCase());
  const recipient = parsed.recipient?.toLowerCase();
  return perRecipient && recipient ? [recipient] : [];
}

function externalRecipients(parsed: PecResult): string[] {
  return parsed.recipients.filter((recipient) => recipient.type === 'esterno').map((recipient) => recipient.address.toLowerCase());
}

function certifiedAt(parsed: PecResult): Date | undefined {
  const when = new Date(parsed.dates.certified ?? parsed.dates.header ?? '');
  return Number.isNaN(when.getTime()) ? undefined : when;
}

/** The parsed result as stored in clear: the original's text stays only inside the sealed source. */
function withoutBodies(parsed: PecResult): PecResult {
  return parsed.original ? { ...parsed, original: { ...parsed.original, text: undefined } } : parsed;
}
