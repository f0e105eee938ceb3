import { Injectable } from '@nestjs/common';
import { EntityNotFoundError } from 'typeorm';
import { SecretBox } from '../../secrets/secret-box.js';
import { receiptSourceContext } from '../correlation/receipt-correlator.js';
import { InboundMessage } from '../intake/inbound-message.entity.js';
import { sourceContext } from '../intake/intake-store.js';
import type { PecKind } from '../pec-result.js';
import { PecReceipt } from '../store/pec-message.entities.js';
import { PecReceiptRepository } from '../store/pec-message.repository.js';

/** A stored receipt, without its source: enough to name it in an archive. */
export interface ReceiptRef {
  id: string;
  kind: PecKind;
  /** Our Message-ID the receipt is about. */
  referencesMessageId: string;
  receiptMessageId: string;
  recipient: string | null;
  receivedAt: Date;
  /** The size of its sealed source. */
  bytes: number;
}

/**
 * The receipts the provider sent about given Message-IDs of ours, and their RFC 822 sources (issue #7 item
 * 8: a campaign's receipts ZIP). By reference, not by our `pec_messages` row: a campaign recipient's PEC
 * has none, its Message-ID is deterministic (decision 0024) and every receipt cites it, matched or not.
 */
@Injectable()
export class ReceiptSources {
  constructor(
    private readonly receipts: PecReceiptRepository,
    private readonly secrets: SecretBox,
  ) {}

  /**
   * The receipts in `mailboxId` citing any of `messageIds` (a batch: index pec_receipts_reference), oldest
   * first, with the size of their sealed sources: a caller reading them together keeps its memory bounded.
   */
  async citing(mailboxId: string, messageIds: readonly string[]): Promise<ReceiptRef[]> {
    if (messageIds.length === 0) return [];
    // octet_length reads a stored value's size from its TOAST header, without fetching the value.
    const rows = await this.withIntakeRows()
      .select(['r.id AS id', 'r.kind AS kind', 'r.references_message_id AS reference', 'r.receipt_message_id AS receipt'])
      .addSelect(['r.recipient AS recipient', 'r.received_at AS at', 'COALESCE(octet_length(r.source), octet_length(m.raw), 0) AS size'])
      .andWhere('r.mailbox_id = :mailboxId', { mailboxId })
      .andWhere('r.references_message_id = ANY(:messageIds)', { messageIds })
      .orderBy('r.received_at', 'ASC')
      .addOrderBy('r.id', 'ASC')
      .getRawMany<{
        id: string;
        kind: PecKind;
        reference: string | null;
        receipt: string;
        recipient: string | null;
        at: Date;
        size: number;
      }>();
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      referencesMessageId: row.reference ?? '',
      receiptMessageId: row.receipt,
      recipient: row.recipient,
      receivedAt: row.at,
      bytes: Number(row.size),
    }));
  }

  /** Receipts `r` with the intake's row `m` that keeps the source of those stored without their own (decision 0034), within the tenant. */
  private withIntakeRows() {
    return this.receipts.query('r').leftJoin(InboundMessage, 'm', 'm.id = r.inbound_message_id AND m.tenant_id = r.tenant_id');
  }

  /**
   * The receipt's source as the provider sent it: its own sealed copy, or the intake's row that keeps
   * it (decision 0034), each unsealed with the context its writer used.
   */
  async source(receiptId: string): Promise<Buffer> {
    const source = (await this.sources([receiptId])).get(receiptId);
    if (!source) throw new EntityNotFoundError(PecReceipt, receiptId);
    return source;
  }

  /** The sources of several receipts in one read, by receipt id; an id that names none is left out. */
  async sources(receiptIds: readonly string[]): Promise<Map<string, Buffer>> {
    if (receiptIds.length === 0) return new Map();
    const rows = await this.withIntakeRows()
      .select(['r.id AS id', 'r.mailbox_id AS mailbox', 'r.receipt_message_id AS reference', 'r.source AS source'])
      .addSelect(['m.id AS inbound', 'm.raw AS raw'])
      .andWhere('r.id = ANY(:ids)', { ids: receiptIds })
      .getRawMany<{ id: string; mailbox: string; reference: string; source: Buffer | null; inbound: string | null; raw: Buffer | null }>();
    return new Map(
      rows.map((row) => [
        row.id,
        row.source
          ? this.secrets.openBytes(row.source, receiptSourceContext(row.mailbox, row.reference))
          : this.secrets.openBytes(row.raw!, sourceContext(row.inbound!)),
      ]),
    );
  }
}
