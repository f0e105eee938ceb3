import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { RosterFileError } from '../access/provisioning/roster-file-error.js';
import type { SheetRow } from '../access/provisioning/sheet.js';
import { TenantContext } from '../db/tenant-context.js';
import type { Mailbox } from '../mailboxes/mailbox.entity.js';
import { MailboxRepository } from '../mailboxes/mailbox.repository.js';
import { HandlesJob } from '../queue/job-handler.js';
import { JobQueues } from '../queue/job-queues.js';
import type { TenantJobData } from '../queue/job-worker.js';
import { QUEUE_NAMES } from '../queue/queue-names.js';
import { SecretBox } from '../secrets/secret-box.js';
import { CampaignFiles } from './campaign-files.js';
import { campaignMessageId } from './campaign-message-id.js';
import { maxMessageBytes, rowAttachmentBudget } from './campaign-size.js';
import { checkTemplates } from './campaign-templates.js';
import type { Campaign, CampaignRecipient } from './campaign.entities.js';
import { CampaignRecipientRepository, CampaignRepository } from './campaign.repository.js';
import { openRecipientSheet } from './recipient-sheet.js';
import { RecipientValidator, type AttachmentRef, type CheckedRecipient } from './recipient-validation.js';
import { sealVariables } from './recipient-variables.js';

export const IMPORT_RECIPIENTS_JOB = 'import-recipients';

export interface ImportRecipientsJobData extends TenantJobData {
  campaignId: string;
}

/** Rows per INSERT: ~10 parameters a row stays far below PostgreSQL's 65,535, and progress moves every batch. */
const BATCH_ROWS = 1_000;
/** The largest campaign one file may hold (the tender's largest daily quota is 1.2 M; a file is one campaign). */
export const MAX_CAMPAIGN_ROWS = 300_000;

export interface ImportSummary {
  recipients: number;
  invalid: number;
}

type NewRecipient = Omit<
  CampaignRecipient,
  | 'id'
  | 'tenantId'
  | 'createdAt'
  | 'updatedAt'
  | 'providerId'
  | 'errorCode'
  | 'errorText'
  | 'attemptedAt'
  | 'queuedAt'
  | 'sentAt'
  | 'acceptedAt'
  | 'deliveredAt'
  | 'warnedAt'
  | 'failedAt'
>;

/**
 * Imports a campaign's recipients sheet in the worker, so that a 100,000-row file never holds up an HTTP request:
 * the XLSX is streamed, rows are validated one at a time and written in batches, and the number of rows read so
 * far is kept on the campaign (the progress bar). A re-run (crash, retry) starts over: the campaign is still a
 * draft nobody can send, so deleting what a dead run wrote is safe.
 */
@Injectable()
export class RecipientImport {
  private readonly logger = new Logger(RecipientImport.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly campaigns: CampaignRepository,
    private readonly recipients: CampaignRecipientRepository,
    private readonly mailboxes: MailboxRepository,
    private readonly files: CampaignFiles,
    private readonly box: SecretBox,
    private readonly queues: JobQueues,
  ) {}

  /** The job id is the campaign's: enqueuing twice (create, then rederive) runs it once. */
  async enqueue(campaignId: string): Promise<void> {
    const data: ImportRecipientsJobData = { tenant: TenantContext.current(), campaignId };
    await this.queues.get(QUEUE_NAMES.campaigns).add(IMPORT_RECIPIENTS_JOB, data, { jobId: `import-${campaignId}`, attempts: 3 });
  }

  /** At worker start: imports whose job Redis lost are queued again (PostgreSQL knows which are unfinished). */
  async rederive(): Promise<number> {
    const rows = await this.dataSource.query<{ id: string; tenant_id: string; slug: string }[]>(
      `SELECT c.id, c.tenant_id, n.slug FROM campaigns c JOIN tenants n ON n.id = c.tenant_id WHERE c.import_state IN ('pending', 'running')`,
    );
    for (const row of rows) await TenantContext.run({ tenantId: row.tenant_id, slug: row.slug }, () => this.enqueue(row.id));
    if (rows.length > 0) this.logger.log(`re-derived ${rows.length} recipient imports`);
    return rows.length;
  }

  @HandlesJob(QUEUE_NAMES.campaigns, IMPORT_RECIPIENTS_JOB)
  async run(job: Job<ImportRecipientsJobData>): Promise<ImportSummary | { skipped: true }> {
    const { campaignId } = job.data;
    const campaign = await this.campaigns.findOne({ id: campaignId });
    if (!campaign || campaign.importState === 'done' || campaign.importState === 'failed') return { skipped: true };
    await this.recipients.delete({ campaignId });
    await this.campaigns.update({ id: campaignId }, { importState: 'running', importRows: 0, updatedAt: new Date() });
    try {
      const summary = await this.importRows(campaign, (rows) => job.updateProgress({ rows }));
      await this.campaigns.update(
        { id: campaignId },
        { importState: 'done', recipientsTotal: summary.recipients, recipientsInvalid: summary.invalid, updatedAt: new Date() },
      );
      return summary;
    } catch (error) {
      if (!(error instanceof RosterFileError)) throw error;
      // The file as a whole is wrong (it changed nothing the request could see, e.g. too many rows): no retry helps.
      await this.recipients.delete({ campaignId });
      await this.campaigns.update(
        { id: campaignId },
        { importState: 'failed', importError: { code: error.code, params: error.params }, updatedAt: new Date() },
      );
      return { recipients: 0, invalid: 0 };
    }
  }

  private async importRows(campaign: Campaign, progress: (rows: number) => Promise<void>): Promise<ImportSummary> {
    const mailbox = await this.mailboxes.findOne({ id: campaign.mailboxId });
    if (!mailbox) throw new RosterFileError('unreadable', { reason: 'mailbox removed' });
    const [sheetFile] = await this.files.list(campaign.id, 'recipients');
    if (!sheetFile) throw new RosterFileError('empty');
    const sheet = await openRecipientSheet(await this.files.content(campaign.id, sheetFile.id), campaign.addressColumn);
    const validator = new RecipientValidator({
      header: sheet.header,
      required: checkTemplates(templatesOf(campaign), sheet.header.columns).required,
      attachments: await this.attachmentLookup(campaign, sheet.header.columns),
      attachmentBudget: await this.attachmentBudget(campaign, mailbox),
    });

    const summary: ImportSummary = { recipients: 0, invalid: 0 };
    let batch: NewRecipient[] = [];
    let read = 0;
    const flush = async (): Promise<void> => {
      await this.recipients.insertMany(batch);
      batch = [];
      await this.campaigns.update({ id: campaign.id }, { importRows: read });
      await progress(read);
    };
    for await (const row of sheet.rows) {
      if (!hasVariables(row, sheet.header.columns)) continue;
      if (++read > MAX_CAMPAIGN_ROWS) throw new RosterFileError('too-many-rows', { max: MAX_CAMPAIGN_ROWS });
      const checked = validator.check(row);
      if (checked.errors.length > 0) summary.invalid++;
      else summary.recipients++;
      batch.push(this.recipientRow(campaign.id, mailbox, checked));
      if (batch.length === BATCH_ROWS) await flush();
    }
    await flush();
    return summary;
  }

  private recipientRow(campaignId: string, mailbox: Mailbox, checked: CheckedRecipient): NewRecipient {
    return {
      campaignId,
      rowNumber: checked.row,
      address: checked.address,
      variables: sealVariables(this.box, campaignId, checked.row, checked.variables),
      attachmentFileId: checked.attachment?.id ?? null,
      state: checked.errors.length > 0 ? 'invalid' : 'queued',
      errors: checked.errors,
      messageId: campaignMessageId(campaignId, checked.row, mailbox.address),
    };
  }

  private async attachmentLookup(campaign: Campaign, columns: readonly string[]) {
    if (campaign.attachmentColumn === null) return undefined;
    const column = columns.indexOf(campaign.attachmentColumn);
    if (column < 0) throw new RosterFileError('missing-column', { column: campaign.attachmentColumn });
    const stored = await this.files.list(campaign.id, 'recipient-attachment');
    const files = new Map<string, AttachmentRef>(stored.map((file) => [file.filename.toLowerCase(), { id: file.id, size: file.size }]));
    return { column, files };
  }

  private async attachmentBudget(campaign: Campaign, mailbox: Mailbox): Promise<number> {
    const shared = await this.files.list(campaign.id, 'attachment');
    return rowAttachmentBudget(
      maxMessageBytes(mailbox.maxMessageMb),
      templateBytes(campaign),
      shared.map((file) => file.size),
    );
  }
}

export function templatesOf(campaign: Campaign) {
  return { subject: campaign.subjectTemplate, html: campaign.htmlTemplate, text: campaign.textTemplate };
}

export function templateBytes(campaign: Pick<Campaign, 'subjectTemplate' | 'htmlTemplate' | 'textTemplate'>): number {
  return [campaign.subjectTemplate, campaign.htmlTemplate ?? '', campaign.textTemplate ?? ''].reduce(
    (sum, text) => sum + Buffer.byteLength(text),
    0,
  );
}

/** Notes or totals in unnamed columns only do not make a recipient. */
function hasVariables(row: SheetRow, columns: readonly string[]): boolean {
  return columns.some((name, index) => name !== '' && (row.cells[index] ?? '') !== '');
}
