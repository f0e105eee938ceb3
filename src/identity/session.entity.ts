import { Column, CreateDateColumn, Entity } from 'typeorm';
import { TenantOwnedEntity } from '../db/tenant-owned.entity.js';

/** `web` sessions ride on a cookie; `api` sessions are bearer tokens for API clients and the mobile app. */
export type SessionKind = 'web' | 'api';
export type SignInMethod = 'password' | 'sso';

/**
 * A signed-in session, kept server-side so it can be revoked at once (sign-out, block, force sign-out).
 * Only the SHA-256 of the secret handed to the client is stored.
 */
@Entity({ name: 'sessions' })
export class Session extends TenantOwnedEntity {
  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ type: 'text' })
  kind!: SessionKind;

  /** How the user proved who they are: a local password (plus second factor) or SSO. */
  @Column({ type: 'text', default: 'password' })
  method!: SignInMethod;

  @Column({ name: 'token_hash', type: 'bytea', unique: true })
  tokenHash!: Buffer;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz' })
  lastSeenAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
