import { Column, Entity } from 'typeorm';
import { TenantOwnedEntity } from '../db/tenant-owned.entity.js';
import type { CampaignFileKind, CampaignStatus, ImportState, RecipientState } from './campaign-states.js';
import type { RecipientError } from './recipient-validation.js';

/** How many approval levels a campaign needs before it may start (0 = none); the approval process reads it. */
export interface ApprovalSettings {
  levels: 0 | 1 | 2;
}

/** A mass-send PEC campaign: its templates, the mailbox it sends from and where its recipients import stands. */
@Entity({ name: 'campaigns' })
export class Campaign extends TenantOwnedEntity {
  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'mailbox_id', type: 'uuid' })
  mailboxId!: string;

  @Column({ type: 'text', default: 'draft' })
  status!: CampaignStatus;

  @Column({ name: 'subject_template', type: 'text' })
  subjectTemplate!: string;

  @Column({ name: 'html_template', type: 'text', nullable: true })
  htmlTemplate!: string | null;

  @Column({ name: 'text_template', type: 'text', nullable: true })
  textTemplate!: string | null;

  @Column({ name: 'address_column', type: 'text' })
  addressColumn!: string;

  @Column({ name: 'attachment_column', type: 'text', nullable: true })
  attachmentColumn!: string | null;

  /** The header of the recipients sheet, in file order: every column is a template variable. */
  @Column({ type: 'jsonb', default: () => `'[]'` })
  columns!: string[];

  @Column({ type: 'jsonb', default: () => `'{"levels":0}'` })
  approval!: ApprovalSettings;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  /** The price of one PEC when the campaign was created (the tenant's `pec.send` price, src/beats/price-list.ts); starting reserves total × this. */
  @Column({ name: 'beats_per_recipient', type: 'integer' })
  beatsPerRecipient!: number;

  /** The beats reservation made when the campaign starts (beats module); null before. */
  @Column({ name: 'beats_reservation_id', type: 'uuid', nullable: true })
  beatsReservationId!: string | null;

  @Column({ name: 'import_state', type: 'text', default: 'pending' })
  importState!: ImportState;

  /** Data rows read so far: the progress bar's numerator (the total is unknown until the end of a streamed file). */
  @Column({ name: 'import_rows', type: 'integer', default: 0 })
  importRows!: number;

  /** Why the whole file could not be imported: `{code, params}` (a RosterFileError-like code). */
  @Column({ name: 'import_error', type: 'jsonb', nullable: true })
  importError!: { code: string; params: Record<string, string | number> } | null;

  @Column({ name: 'recipients_total', type: 'integer', default: 0 })
  recipientsTotal!: number;

  @Column({ name: 'recipients_invalid', type: 'integer', default: 0 })
  recipientsInvalid!: number;

  @Column({ name: 'scheduled_at', type: 'timestamptz', nullable: true })
  scheduledAt!: Date | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

/** One recipient of a campaign: one PEC, its explicit state and when it reached each state. */
@Entity({ name: 'campaign_recipients' })
export class CampaignRecipient extends TenantOwnedEntity {
  @Column({ name: 'campaign_id', type: 'uuid' })
  campaignId!: string;

  /** The row in the uploaded sheet, as Excel shows it: how people find the recipient in their file. */
  @Column({ name: 'row_number', type: 'integer' })
  rowNumber!: number;

  @Column({ type: 'text' })
  address!: string;

  /** The row's cells by column name, sealed (personal data: names, tax codes, amounts). See recipient-variables.ts. */
  @Column({ type: 'text' })
  variables!: string;

  @Column({ name: 'attachment_file_id', type: 'uuid', nullable: true })
  attachmentFileId!: string | null;

  @Column({ type: 'text' })
  state!: RecipientState;

  /** Import validation problems of an `invalid` row. */
  @Column({ type: 'jsonb', default: () => `'[]'` })
  errors!: RecipientError[];

  /** The provider's code and text when sending or delivery failed (e.g. `550 5.7.1`, the non-delivery reason). */
  @Column({ name: 'error_code', type: 'text', nullable: true })
  errorCode!: string | null;

  @Column({ name: 'error_text', type: 'text', nullable: true })
  errorText!: string | null;

  /** The provider's identifier of the message (`X-Riferimento-Message-ID` of its receipts' envelope). */
  @Column({ name: 'provider_id', type: 'text', nullable: true })
  providerId!: string | null;

  /** Deterministic per recipient (campaign-message-id.ts): receipts cite it, so an unknown outcome can be resolved. */
  @Column({ name: 'message_id', type: 'text' })
  messageId!: string;

  /** Written BEFORE the SMTP call: a row with an attempt and no outcome was maybe sent. */
  @Column({ name: 'attempted_at', type: 'timestamptz', nullable: true })
  attemptedAt!: Date | null;

  @Column({ name: 'queued_at', type: 'timestamptz', nullable: true })
  queuedAt!: Date | null;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @Column({ name: 'accepted_at', type: 'timestamptz', nullable: true })
  acceptedAt!: Date | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @Column({ name: 'warned_at', type: 'timestamptz', nullable: true })
  warnedAt!: Date | null;

  @Column({ name: 'failed_at', type: 'timestamptz', nullable: true })
  failedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

/** A file of a campaign, sealed with SecretBox (context `campaign-file:<id>`): the sheet, or an attachment. */
@Entity({ name: 'campaign_files' })
export class CampaignFile extends TenantOwnedEntity {
  @Column({ name: 'campaign_id', type: 'uuid' })
  campaignId!: string;

  @Column({ type: 'text' })
  kind!: CampaignFileKind;

  @Column({ type: 'text' })
  filename!: string;

  @Column({ name: 'content_type', type: 'text' })
  contentType!: string;

  /** Plain size in bytes, for the per-message size check without opening the file. */
  @Column({ type: 'integer' })
  size!: number;

  @Column({ type: 'bytea', select: false })
  sealed!: Buffer;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
