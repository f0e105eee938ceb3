import { Column, CreateDateColumn, Entity } from 'typeorm';
import { TenantOwnedEntity } from '../db/tenant-owned.entity.js';

/** A one-time password reset link; only the hash of its secret is stored. */
@Entity({ name: 'password_resets' })
export class PasswordReset extends TenantOwnedEntity {
  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'token_hash', type: 'bytea', unique: true })
  tokenHash!: Buffer;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
