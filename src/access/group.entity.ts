import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { TenantOwnedEntity } from '../db/tenant-owned.entity.js';
import type { TenantOwned } from '../db/tenant-scoped.repository.js';

/** A named set of users, across offices (e.g. "Commissione gare"); processes may assign work to it. */
@Entity({ name: 'groups' })
export class Group extends TenantOwnedEntity {
  @Column({ type: 'text' })
  name!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

@Entity({ name: 'group_members' })
export class GroupMember implements TenantOwned {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @PrimaryColumn({ name: 'group_id', type: 'uuid' })
  groupId!: string;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;
}
