import { Column, CreateDateColumn, Entity, Index, UpdateDateColumn } from 'typeorm';
import { TenantOwnedEntity } from '../db/tenant-owned.entity.js';

@Entity({ name: 'users' })
@Index('users_tenant_email', ['tenantId', 'email'], { unique: true })
export class User extends TenantOwnedEntity {
  /** Stored lower case: e-mail is unique within a tenant, regardless of case. */
  @Column({ type: 'text' })
  email!: string;

  @Column({ name: 'display_name', type: 'text' })
  displayName!: string;

  @Column({ name: 'password_hash', type: 'text', nullable: true })
  passwordHash!: string | null;

  @Column({ type: 'text', nullable: true })
  locale!: 'it' | 'en' | null;

  @Column({ name: 'must_change_password', type: 'boolean', default: true })
  mustChangePassword!: boolean;

  @Column({ type: 'boolean', default: false })
  blocked!: boolean;

  /** The TOTP secret, encrypted (SecretBox); null when the second factor is not set up. */
  @Column({ name: 'totp_secret', type: 'text', nullable: true })
  totpSecret!: string | null;

  /** The last TOTP time step accepted: a code is good once (RFC 6238 §5.2). */
  @Column({ name: 'totp_last_step', type: 'bigint', nullable: true })
  totpLastStep!: string | null;

  @Column({ name: 'password_changed_at', type: 'timestamptz', nullable: true })
  passwordChangedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
