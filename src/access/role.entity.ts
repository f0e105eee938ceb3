import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { TenantOwned } from '../db/tenant-scoped.repository.js';

/** The roles every workspace has; solutions and admins may add more. */
export const BUILTIN_ROLES = ['admin', 'manager', 'operator', 'user'] as const;
export type BuiltinRole = (typeof BUILTIN_ROLES)[number];

@Entity({ name: 'roles' })
export class Role implements TenantOwned {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @PrimaryColumn({ type: 'text' })
  key!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'boolean', default: false })
  builtin!: boolean;
}
