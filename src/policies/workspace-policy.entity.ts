import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { TenantOwned } from '../db/tenant-scoped.repository.js';

export const SECOND_FACTOR_RULES = ['off', 'optional', 'admins', 'everyone'] as const;
export type SecondFactorRule = (typeof SECOND_FACTOR_RULES)[number];

/** A workspace's access rules; a missing row means the platform defaults. */
@Entity({ name: 'workspace_policies' })
export class WorkspacePolicy implements TenantOwned {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  /** CIDR ranges the workspace may be reached from; empty: from anywhere. */
  @Column({ name: 'ip_allowlist', type: 'cidr', array: true, default: () => "'{}'" })
  ipAllowlist!: string[];

  @Column({ name: 'session_idle_minutes', type: 'integer', nullable: true })
  sessionIdleMinutes!: number | null;

  @Column({ name: 'session_absolute_hours', type: 'integer', nullable: true })
  sessionAbsoluteHours!: number | null;

  @Column({ name: 'password_min_length', type: 'integer', default: 12 })
  passwordMinLength!: number;

  @Column({ name: 'second_factor', type: 'text', default: 'optional' })
  secondFactor!: SecondFactorRule;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
