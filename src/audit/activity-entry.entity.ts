import { Column, Entity, Index, PrimaryGeneratedColumn, type ValueTransformer } from 'typeorm';
import type { TenantOwned } from '../db/tenant-scoped.repository.js';
import type { StoredEntry } from './chain-walk.js';

/** pg returns bigint as a string; a tenant will not log 2^53 entries, so a number is exact. */
const bigintAsNumber: ValueTransformer = {
  to: (value: number | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/**
 * One line of a tenant's activity log. Rows are only ever inserted (a trigger refuses UPDATE,
 * DELETE and TRUNCATE) and each one's hash covers the one before, so any later edit shows.
 */
@Entity({ name: 'activity_log' })
@Index('activity_log_tenant_seq', ['tenantId', 'seq'], { unique: true })
@Index('activity_log_tenant_at', ['tenantId', 'at'])
export class ActivityEntry implements TenantOwned, StoredEntry {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  /** 1, 2, 3… within the tenant, without gaps: a missing number is a removed entry. */
  @Column({ type: 'bigint', transformer: bigintAsNumber })
  seq!: number;

  @Column({ type: 'timestamptz' })
  at!: Date;

  /** No foreign key: the log must outlive the users it names. */
  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId!: string | null;

  /** The actor's e-mail when the entry was written, or `system`. */
  @Column({ name: 'actor_label', type: 'text' })
  actorLabel!: string;

  @Column({ type: 'text' })
  action!: string;

  @Column({ name: 'resource_type', type: 'text', nullable: true })
  resourceType!: string | null;

  @Column({ name: 'resource_id', type: 'text', nullable: true })
  resourceId!: string | null;

  @Column({ type: 'jsonb' })
  details!: Record<string, unknown>;

  @Column({ type: 'text', nullable: true })
  ip!: string | null;

  @Column({ name: 'prev_hash', type: 'text' })
  prevHash!: string;

  @Column({ type: 'text' })
  hash!: string;
}
