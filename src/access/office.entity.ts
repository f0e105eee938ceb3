import { Column, CreateDateColumn, Entity, UpdateDateColumn } from 'typeorm';
import { TenantOwnedEntity } from '../db/tenant-owned.entity.js';

/** An office (ufficio) in the tenant's tree; parentId null for a top-level office. */
@Entity({ name: 'offices' })
export class Office extends TenantOwnedEntity {
  @Column({ name: 'parent_id', type: 'uuid', nullable: true })
  parentId!: string | null;

  @Column({ type: 'text' })
  name!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
