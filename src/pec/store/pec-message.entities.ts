import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TenantOwnedEntity } from '../../db/tenant-owned.entity.js';
import type { PecKind, ReceiptType } from '../pec-result.js';
import type { MessageStatus, RecipientStatus } from '../correlation/recipient-states.js';

/** A PEC message of a mailbox: one we send (`out`) or, once the intake stores them, one we received (`in`). */
@Entity({ name: 'pec_messages' })
export class PecMessage extends TenantOwnedEntity {
  @Column({ name: 'mailbox_id', type: 'uuid' })
  mailboxId!: string;

  @Column({ type: 'text' })
  direction!: 'in' | 'out';

  @Column({ type: 'text' })
  kind!: PecKind;

  @Column({ type: 'text' })
  status!: MessageStatus;

  /** Our Message-ID, without angle brackets: deterministic per message and recipient set. */
  @Column({ name: 'message_id', type: 'text' })
  messageId!: string;

  /** The provider's identificativo, learnt from the accettazione. */
  @Column({ name: 'provider_id', type: 'text', nullable: true })
  providerId!: string | null;

  @Column({ type: 'text' })
  subject!: string;

  @Column({ name: 'from_address', type: 'text' })
  fromAddress!: string;

  @Column({ name: 'to_addresses', type: 'text', array: true })
  toAddresses!: string[];

  @Column({ name: 'cc_addresses', type: 'text', array: true })
  ccAddresses!: string[];

  @Column({ name: 'receipt_type', type: 'text' })
  receiptType!: ReceiptType;

  /** `{ text, html }` as JSON, sealed by SecretBox with the message id as context. */
  @Column({ type: 'text', nullable: true })
  body!: string | null;

  /** The RFC 822 source as submitted (or received), sealed by SecretBox. */
  @Column({ type: 'bytea', nullable: true })
  source!: Buffer | null;

  /** Incoming: IncomingDetails (certification, signature, threading, files); outgoing: the files listed when composed. */
  @Column({ type: 'jsonb', nullable: true })
  parsed!: Record<string, unknown> | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  /** Set before the SMTP call: an attempt with no outcome is never repeated blindly. */
  @Column({ name: 'attempted_at', type: 'timestamptz', nullable: true })
  attemptedAt!: Date | null;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @Column({ name: 'smtp_reply', type: 'text', nullable: true })
  smtpReply!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

/**
 * A message as it is read to be shown: every column but the sealed `source`, which only downloads,
 * forwards and messages stored without a file list need (MessageContent reads it then). A PEC with
 * large attachments would otherwise move megabytes per view.
 */
export type ShownMessage = Omit<PecMessage, 'source'>;

/** One recipient of a message we send, with its place in the state machine (recipient-states.ts). */
@Entity({ name: 'pec_recipients' })
export class PecRecipientRow extends TenantOwnedEntity {
  @Column({ name: 'message_id', type: 'uuid' })
  messageId!: string;

  @Column({ type: 'text' })
  address!: string;

  @Column({ type: 'text' })
  field!: 'to' | 'cc';

  @Column({ type: 'text' })
  status!: RecipientStatus;

  /** The daticert `errore` (no-dest, no-dominio, virus, altro), the SMTP reply of a refusal, or `timeout`. */
  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'provider_id', type: 'text', nullable: true })
  providerId!: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

/** A line of a recipient's timeline; `seq` orders them and lets subscribers resume where they stopped. */
@Entity({ name: 'pec_recipient_events' })
export class PecRecipientEvent {
  @PrimaryColumn({ type: 'bigint', generated: 'increment' })
  seq!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'recipient_id', type: 'uuid' })
  recipientId!: string;

  @Column({ type: 'text' })
  kind!: string;

  @Column({ type: 'text' })
  status!: RecipientStatus;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  @Column({ name: 'receipt_message_id', type: 'text', nullable: true })
  receiptMessageId!: string | null;

  @Column({ name: 'provider_id', type: 'text', nullable: true })
  providerId!: string | null;

  @Column({ type: 'jsonb', default: {} })
  details!: Record<string, unknown>;
}

/** A receipt applied to a mailbox; `messageId` null when it matched nothing we sent (kept and listed). */
@Entity({ name: 'pec_receipts' })
export class PecReceipt extends TenantOwnedEntity {
  @Column({ name: 'mailbox_id', type: 'uuid' })
  mailboxId!: string;

  @Column({ name: 'receipt_message_id', type: 'text' })
  receiptMessageId!: string;

  @Column({ type: 'text' })
  kind!: PecKind;

  @Column({ name: 'references_message_id', type: 'text', nullable: true })
  referencesMessageId!: string | null;

  @Column({ name: 'provider_id', type: 'text', nullable: true })
  providerId!: string | null;

  @Column({ type: 'text', nullable: true })
  recipient!: string | null;

  @Column({ name: 'message_id', type: 'uuid', nullable: true })
  messageId!: string | null;

  /** The module that applied a receipt about a message it sent (ReceiptTargets: `campaign`); null otherwise. */
  @Column({ name: 'forwarded_to', type: 'text', nullable: true })
  forwardedTo!: string | null;

  @Column({ type: 'jsonb' })
  parsed!: Record<string, unknown>;

  /**
   * The receipt's source, sealed by SecretBox (a completa receipt holds the whole original); null when
   * the intake read it, whose inbound row keeps the source (`inboundMessageId`).
   */
  @Column({ type: 'bytea', nullable: true })
  source!: Buffer | null;

  @Column({ name: 'inbound_message_id', type: 'uuid', nullable: true })
  inboundMessageId!: string | null;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt!: Date;
}
