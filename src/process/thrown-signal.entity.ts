import { Column, Entity } from 'typeorm';
import { TenantOwnedEntity } from '../db/tenant-owned.entity.js';

/** A signal an instance threw, until it is relayed to the other instances of the workspace (outbox). */
@Entity({ name: 'thrown_signals' })
export class ThrownSignal extends TenantOwnedEntity {
  @Column({ name: 'instance_id', type: 'uuid' })
  instanceId!: string;

  @Column({ name: 'signal_name', type: 'text' })
  signalName!: string;

  @Column({ type: 'text' })
  state!: 'pending' | 'relayed';

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
