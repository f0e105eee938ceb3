import { Column, CreateDateColumn, Entity } from 'typeorm';
import { TenantOwnedEntity } from '../db/tenant-owned.entity.js';

/** A user holds a role in an office, or tenant-wide when officeId is null. */
@Entity({ name: 'memberships' })
export class Membership extends TenantOwnedEntity {
  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'role_key', type: 'text' })
  roleKey!: string;

  @Column({ name: 'office_id', type: 'uuid', nullable: true })
  officeId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
