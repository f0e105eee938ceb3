import { Column, PrimaryGeneratedColumn } from 'typeorm';
import type { TenantOwned } from './tenant-scoped.repository.js';

/** The columns every tenant-owned table with a uuid key starts with. */
export abstract class TenantOwnedEntity implements TenantOwned {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;
}
