import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { TenantOwned } from '../db/tenant-scoped.repository.js';

/** A user holds a role in an office, or tenant-wide when officeId is null. */
@Entity({ name: 'memberships' })
export class Membership implements TenantOwned {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'role_key', type: 'text' })
  roleKey!: string;

  @Column({ name: 'office_id', type: 'uuid', nullable: true })
  officeId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
