import { Column, Entity } from 'typeorm';
import { TenantOwnedEntity } from '../db/tenant-owned.entity.js';

/** A message (e.g. a PEC receipt by its Message-ID) already delivered to an instance: a redelivery is a no-op. */
@Entity({ name: 'correlated_messages' })
export class CorrelatedMessage extends TenantOwnedEntity {
  @Column({ name: 'instance_id', type: 'uuid' })
  instanceId!: string;

  @Column({ name: 'message_id', type: 'text' })
  messageId!: string;

  @Column({ name: 'message_name', type: 'text' })
  messageName!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
