import { Column, Entity } from 'typeorm';
import { TenantOwnedEntity } from '../../db/tenant-owned.entity.js';
import type { PecKind } from '../pec-result.js';
import type { InboundSummary } from './inbound-summary.js';

/** `received`: recorded, its pec-inbound job not done yet; `processed`: parsed and handed to the handlers. */
export type InboundState = 'received' | 'processed';

/**
 * One message read from a PEC mailbox's INBOX, exactly once per (mailbox, UIDVALIDITY, UID). The RFC
 * 822 source is sealed (SecretBox, context `pec-inbound:<id>`) so parsing can be replayed; only the
 * parser's summary (no bodies) is in clear.
 */
@Entity({ name: 'pec_inbound_messages' })
export class InboundMessage extends TenantOwnedEntity {
  @Column({ name: 'mailbox_id', type: 'uuid', nullable: true })
  mailboxId!: string | null;

  @Column({ name: 'mailbox_address', type: 'text' })
  mailboxAddress!: string;

  @Column({ type: 'bigint' })
  uidvalidity!: string;

  @Column({ type: 'bigint' })
  uid!: string;

  @Column({ type: 'bytea' })
  raw!: Buffer;

  @Column({ type: 'integer' })
  size!: number;

  @Column({ type: 'text' })
  sha256!: string;

  /** The server's INTERNALDATE: when the mailbox received it. */
  @Column({ name: 'received_at', type: 'timestamptz', nullable: true })
  receivedAt!: Date | null;

  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' })
  recordedAt!: Date;

  @Column({ name: 'message_id', type: 'text', nullable: true })
  messageId!: string | null;

  @Column({ type: 'text', nullable: true })
  kind!: PecKind | null;

  @Column({ type: 'jsonb', nullable: true })
  summary!: InboundSummary | null;

  @Column({ type: 'text', default: 'received' })
  state!: InboundState;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt!: Date | null;
}

/** How far the intake has read a mailbox: every UID up to last_uid under this UIDVALIDITY is recorded. */
@Entity({ name: 'pec_intake_checkpoints' })
export class IntakeCheckpoint extends TenantOwnedEntity {
  @Column({ name: 'mailbox_id', type: 'uuid' })
  mailboxId!: string;

  @Column({ type: 'bigint' })
  uidvalidity!: string;

  @Column({ name: 'last_uid', type: 'bigint' })
  lastUid!: string;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
