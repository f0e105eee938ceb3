import { Column, Entity } from 'typeorm';
import { TenantOwnedEntity } from '../db/tenant-owned.entity.js';
import type { PresetKey, Security } from './mailbox-presets.js';
import type { ProfileKey } from './mailbox-profiles.js';

/** What the probe (later the intake) last found: never tried, working, or failing with a reason. */
export const MAILBOX_STATES = ['new', 'connected', 'failing'] as const;
export type MailboxState = (typeof MAILBOX_STATES)[number];

/** A tenant's PEC mailbox: SMTP to send, IMAP to read receipts, its sending limits and sealed credentials. */
@Entity({ name: 'mailboxes' })
export class Mailbox extends TenantOwnedEntity {
  @Column({ type: 'text' })
  address!: string;

  @Column({ type: 'text' })
  preset!: PresetKey;

  @Column({ type: 'text' })
  profile!: ProfileKey;

  @Column({ name: 'smtp_host', type: 'text' })
  smtpHost!: string;

  @Column({ name: 'smtp_port', type: 'integer' })
  smtpPort!: number;

  @Column({ name: 'smtp_security', type: 'text' })
  smtpSecurity!: Security;

  @Column({ name: 'imap_host', type: 'text' })
  imapHost!: string;

  @Column({ name: 'imap_port', type: 'integer' })
  imapPort!: number;

  @Column({ name: 'imap_security', type: 'text' })
  imapSecurity!: Security;

  @Column({ name: 'sent_folder', type: 'text' })
  sentFolder!: string;

  @Column({ name: 'per_minute', type: 'integer' })
  perMinute!: number;

  @Column({ name: 'per_day', type: 'integer' })
  perDay!: number;

  @Column({ name: 'max_message_mb', type: 'integer' })
  maxMessageMb!: number;

  @Column({ name: 'max_recipients', type: 'integer' })
  maxRecipients!: number;

  /** Username and password, sealed together by SecretBox with the mailbox id as context. */
  @Column({ type: 'text' })
  credentials!: string;

  @Column({ type: 'text', default: 'new' })
  state!: MailboxState;

  /** Why it is failing, as `<smtp|imap>:<reason>` (a ProbeReason); null unless failing. */
  @Column({ name: 'state_reason', type: 'text', nullable: true })
  stateReason!: string | null;

  @Column({ name: 'state_since', type: 'timestamptz', default: () => 'now()' })
  stateSince!: Date;

  @Column({ name: 'checked_at', type: 'timestamptz', nullable: true })
  checkedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

/** A mailbox assigned to an office: the office's people see it (models/platform/solution.yaml). */
@Entity({ name: 'mailbox_offices' })
export class MailboxOffice extends TenantOwnedEntity {
  @Column({ name: 'mailbox_id', type: 'uuid' })
  mailboxId!: string;

  @Column({ name: 'office_id', type: 'uuid' })
  officeId!: string;
}
