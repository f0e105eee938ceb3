import { Column, Entity } from 'typeorm';
import { TenantOwnedEntity } from '../db/tenant-owned.entity.js';

/** A side effect a plug has performed, by idempotency key: the same key never performs it twice. */
@Entity({ name: 'plug_effects' })
export class PlugEffect extends TenantOwnedEntity {
  @Column({ type: 'text' })
  plug!: string;

  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey!: string;

  /** What the first call answered; a repeated call answers the same. */
  @Column({ type: 'jsonb' })
  result!: Record<string, unknown>;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
