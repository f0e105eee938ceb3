import { Column, Entity } from 'typeorm';
import { TenantOwnedEntity } from '../db/tenant-owned.entity.js';

/** A signal broadcast with an id, and whom it reached: a repeated delivery answers this and moves nothing. */
@Entity({ name: 'delivered_signals' })
export class DeliveredSignal extends TenantOwnedEntity {
  @Column({ name: 'signal_id', type: 'text' })
  signalId!: string;

  @Column({ name: 'signal_name', type: 'text' })
  signalName!: string;

  /** The waiting instances it moved on. */
  @Column({ type: 'uuid', array: true })
  reached!: string[];

  /** The instances its signal start events started. */
  @Column({ type: 'uuid', array: true })
  started!: string[];

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
