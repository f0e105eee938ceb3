import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TenantScopedRepository } from '../../db/tenant-scoped.repository.js';
import { SecretBox } from '../../secrets/secret-box.js';
import { receiptSourceContext } from '../correlation/receipt-correlator.js';
import { InboundMessage } from '../intake/inbound-message.entity.js';
import { sourceContext } from '../intake/intake-store.js';
import type { PecKind } from '../pec-result.js';
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
}

/**
 * The receipts the provider sent about given Message-IDs of ours, and their RFC 822 sources (issue #7 item
 * 8: a campaign's receipts ZIP). By reference, not by our `pec_messages` row: a campaign recipient's PEC
 * has none, its Message-ID is deterministic (decision 0024) and every receipt cites it, matched or not.
 */
@Injectable()
export class ReceiptSources {
  private readonly inbound: TenantScopedRepository<InboundMessage>;

  constructor(
    private readonly receipts: PecReceiptRepository,
    private readonly secrets: SecretBox,
    dataSource: DataSource,
  ) {
    this.inbound = new TenantScopedRepository(dataSource, InboundMessage);
  }

  /** The receipts in `mailboxId` citing any of `messageIds` (a batch: index pec_receipts_reference), oldest first. */
  async citing(mailboxId: string, messageIds: readonly string[]): Promise<ReceiptRef[]> {
    if (messageIds.length === 0) return [];
    const rows = await this.receipts
      .query('r')
      .select(['r.id', 'r.kind', 'r.referencesMessageId', 'r.receiptMessageId', 'r.recipient', 'r.receivedAt'])
      .andWhere('r.mailbox_id = :mailboxId', { mailboxId })
      .andWhere('r.references_message_id = ANY(:messageIds)', { messageIds })
      .orderBy('r.received_at', 'ASC')
      .addOrderBy('r.id', 'ASC')
      .getMany();
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      referencesMessageId: row.referencesMessageId ?? '',
      receiptMessageId: row.receiptMessageId,
      recipient: row.recipient,
      receivedAt: row.receivedAt,
    }));
  }

  /**
   * The receipt's source as the provider sent it: its own sealed copy, or the intake's row that keeps
   * it (decision 0034), each unsealed with the context its writer used.
   */
  async source(receiptId: string): Promise<Buffer> {
    const row = await this.receipts
      .query('r')
      .select(['r.id', 'r.mailboxId', 'r.receiptMessageId', 'r.source', 'r.inboundMessageId'])
      .andWhere('r.id = :id', { id: receiptId })
      .getOneOrFail();
    if (row.source) return this.secrets.openBytes(row.source, receiptSourceContext(row.mailboxId, row.receiptMessageId));
    const inbound = await this.inbound
      .query('m')
      .select(['m.id', 'm.raw'])
      .andWhere('m.id = :id', { id: row.inboundMessageId })
      .getOneOrFail();
    return this.secrets.openBytes(inbound.raw, sourceContext(inbound.id));
  }
}
