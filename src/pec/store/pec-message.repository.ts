import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TenantScopedRepository } from '../../db/tenant-scoped.repository.js';
import { PecMessage, PecReceipt, PecRecipientEvent, PecRecipientRow } from './pec-message.entities.js';

@Injectable()
export class PecMessageRepository extends TenantScopedRepository<PecMessage> {
  constructor(dataSource: DataSource) {
    super(dataSource, PecMessage);
  }
}

/** A recipient with its timeline, oldest line first. */
export type RecipientWithEvents = PecRecipientRow & { events: PecRecipientEvent[] };

@Injectable()
export class PecRecipientRepository extends TenantScopedRepository<PecRecipientRow> {
  constructor(dataSource: DataSource) {
    super(dataSource, PecRecipientRow);
  }

  /**
   * A message's recipients (To first, then by address) with their timelines, in one round trip: every
   * view of a message reads them, and under load each round trip is a wait for a core, not only its query.
   */
  async withEvents(messageId: string): Promise<RecipientWithEvents[]> {
    const rows = await this.query('r')
      .leftJoinAndMapMany('r.events', PecRecipientEvent, 'e', 'e.recipient_id = r.id AND e.tenant_id = r.tenant_id')
      .andWhere('r.message_id = :messageId', { messageId })
      .orderBy('r.field', 'DESC')
      .addOrderBy('r.address', 'ASC')
      .addOrderBy('e.seq', 'ASC')
      .getMany();
    return rows as RecipientWithEvents[];
  }
}

@Injectable()
export class PecRecipientEventRepository extends TenantScopedRepository<PecRecipientEvent> {
  constructor(dataSource: DataSource) {
    super(dataSource, PecRecipientEvent);
  }
}

@Injectable()
export class PecReceiptRepository extends TenantScopedRepository<PecReceipt> {
  constructor(dataSource: DataSource) {
    super(dataSource, PecReceipt);
  }
}
