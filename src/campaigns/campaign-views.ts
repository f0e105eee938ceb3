import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import type { Principal } from '../access/principal.js';
import { Visibility } from '../access/visibility.js';
import { ProblemException } from '../api/problem.js';
import type { Locale } from '../i18n/locale.js';
import { isMessageKey, translate } from '../i18n/translate.js';
import { MailboxRepository } from '../mailboxes/mailbox.repository.js';
import { SecretBox } from '../secrets/secret-box.js';
import { estimateCampaign } from './campaign-estimate.js';
import { CampaignFiles } from './campaign-files.js';
import type { CampaignSummary, CampaignView, RecipientPreview } from './campaign-input.js';
import type { RecipientState } from './campaign-states.js';
import { compileTemplates } from './campaign-templates.js';
import type { Campaign, CampaignRecipient } from './campaign.entities.js';
import { CampaignRecipientRepository, CampaignRepository } from './campaign.repository.js';
import { templatesOf } from './recipient-import.js';
import type { RecipientError } from './recipient-validation.js';
import { openVariables } from './recipient-variables.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LIST_LIMIT = 200;

/** One invalid row of the error report, its messages in the reader's language. */
export interface ErrorReportRow {
  row: number;
  address: string;
  column: string;
  message: string;
}

/**
 * Campaigns as people and the API see them. Visibility (models/platform/solution.yaml `campaign`): the
 * campaigns of the mailboxes of one's offices, and one's own; a campaign one may not see is a 404.
 */
@Injectable()
export class CampaignViews {
  constructor(
    private readonly campaigns: CampaignRepository,
    private readonly recipients: CampaignRecipientRepository,
    private readonly mailboxes: MailboxRepository,
    private readonly files: CampaignFiles,
    private readonly visibility: Visibility,
    private readonly box: SecretBox,
  ) {}

  async list(principal: Principal, locale: Locale): Promise<CampaignSummary[]> {
    const query = this.campaigns.query('c').orderBy('c.created_at', 'DESC').limit(LIST_LIMIT);
    const rows = await (await this.visibility.restrict(query, 'c', 'campaign', 'see', principal)).getMany();
    const addresses = await this.mailboxAddresses(rows);
    return rows.map((row) => summary(row, addresses.get(row.mailboxId) ?? '', locale));
  }

  async summary(principal: Principal, id: string, locale: Locale): Promise<CampaignSummary> {
    const campaign = await this.find(principal, id, 'see');
    const mailbox = await this.mailboxes.findOne({ id: campaign.mailboxId });
    return summary(campaign, mailbox?.address ?? '', locale);
  }

  async get(principal: Principal, id: string, locale: Locale): Promise<CampaignView> {
    const campaign = await this.find(principal, id, 'see');
    const mailbox = await this.mailboxes.findOne({ id: campaign.mailboxId });
    const limits = mailbox ?? { perMinute: 1, perDay: 1 };
    const counts = await this.counts(campaign.id);
    const estimate = estimateCampaign(counts.total, campaign.beatsPerRecipient, limits);
    const attachments = await this.files.list(campaign.id, 'attachment');
    return {
      ...summary(campaign, mailbox?.address ?? '', locale),
      counts,
      estimate: {
        perMinute: estimate.perMinute,
        perDay: estimate.perDay,
        estimatedSeconds: estimate.estimatedSeconds,
        beatsPerRecipient: campaign.beatsPerRecipient,
      },
      columns: campaign.columns,
      addressColumn: campaign.addressColumn,
      attachmentColumn: campaign.attachmentColumn,
      templates: templatesOf(campaign),
      attachments,
      recipientAttachments: (await this.files.list(campaign.id, 'recipient-attachment')).length,
    };
  }

  /** One row rendered as its PEC would be; without `row`, the first sendable one. */
  async preview(principal: Principal, id: string, row: number | undefined, locale: Locale): Promise<RecipientPreview> {
    const campaign = await this.find(principal, id, 'see');
    const recipient = await this.recipient(campaign.id, row);
    const variables = openVariables(this.box, campaign.id, recipient.rowNumber, recipient.variables);
    const valid = recipient.state !== 'invalid';
    // An invalid row may lack a variable the templates print: strict rendering would throw, so it shows no message.
    const rendered = valid ? compileTemplates(templatesOf(campaign))(variables) : { subject: null, html: null, text: null };
    return {
      row: recipient.rowNumber,
      address: recipient.address,
      valid,
      errors: recipient.errors.map((error) => ({ column: error.column, code: error.code, message: rowErrorMessage(error, locale) })),
      ...rendered,
    };
  }

  /** The variables of one row, for a test send that looks like the real thing. */
  async variablesOf(
    campaign: Campaign,
    row: number | undefined,
  ): Promise<{ recipient: CampaignRecipient; variables: Record<string, string> }> {
    const recipient = await this.recipient(campaign.id, row);
    return { recipient, variables: openVariables(this.box, campaign.id, recipient.rowNumber, recipient.variables) };
  }

  async errorReport(principal: Principal, id: string, locale: Locale): Promise<{ campaign: Campaign; rows: ErrorReportRow[] }> {
    const campaign = await this.find(principal, id, 'see');
    const invalid = await this.recipients.find({ campaignId: campaign.id, state: 'invalid' }, { order: { rowNumber: 'ASC' } });
    const rows = invalid.flatMap((recipient) =>
      recipient.errors.map((error) => ({
        row: recipient.rowNumber,
        address: recipient.address,
        column: error.column,
        message: rowErrorMessage(error, locale),
      })),
    );
    return { campaign, rows };
  }

  /** A campaign the caller may see (or act on); 404 otherwise, whether it exists elsewhere or not at all. */
  async find(principal: Principal, id: string, action: 'see' | 'act'): Promise<Campaign> {
    if (!UUID.test(id)) throw new ProblemException(404, 'not-found');
    const query = this.campaigns.query('c').andWhere('c.id = :id', { id });
    const campaign = await (await this.visibility.restrict(query, 'c', 'campaign', action, principal)).getOne();
    if (!campaign) throw new ProblemException(404, 'not-found');
    return campaign;
  }

  private async recipient(campaignId: string, row: number | undefined): Promise<CampaignRecipient> {
    const query = () => this.recipients.query('r').andWhere('r.campaign_id = :campaignId', { campaignId }).orderBy('r.row_number', 'ASC');
    const recipient =
      row !== undefined
        ? await query().andWhere('r.row_number = :row', { row }).getOne()
        : ((await query().andWhere(`r.state <> 'invalid'`).getOne()) ?? (await query().getOne()));
    if (!recipient) throw new ProblemException(404, 'not-found');
    return recipient;
  }

  private async counts(campaignId: string): Promise<CampaignView['counts']> {
    const rows = await this.recipients
      .query('r')
      .select('r.state', 'state')
      .addSelect('count(*)::int', 'n')
      .andWhere('r.campaign_id = :campaignId', { campaignId })
      .groupBy('r.state')
      .getRawMany<{ state: RecipientState; n: number }>();
    return countsFrom(rows);
  }

  private async mailboxAddresses(rows: readonly Campaign[]): Promise<Map<string, string>> {
    if (rows.length === 0) return new Map();
    const mailboxes = await this.mailboxes.find({ id: In([...new Set(rows.map((row) => row.mailboxId))]) });
    return new Map(mailboxes.map((mailbox) => [mailbox.id, mailbox.address]));
  }
}

/** Recipients per state as the API shows them (decision 0024: `failed` counts the 24 h timeouts too), from grouped counts. */
export function countsFrom(rows: readonly { state: RecipientState; n: number }[]): CampaignView['counts'] {
  const by = (state: RecipientState): number => rows.find((row) => row.state === state)?.n ?? 0;
  return {
    total: rows.reduce((sum, row) => sum + (row.state === 'invalid' ? 0 : row.n), 0),
    queued: by('queued'),
    sending: by('sending'),
    sent: by('sent'),
    accepted: by('accepted'),
    delivered: by('delivered'),
    failed: by('failed') + by('failed-timeout'),
    warned: by('warned'),
    invalid: by('invalid'),
  };
}

function summary(campaign: Campaign, mailboxAddress: string, locale: Locale): CampaignSummary {
  const done = campaign.importState === 'done';
  return {
    id: campaign.id,
    name: campaign.name,
    status: campaign.status,
    mailbox: { id: campaign.mailboxId, address: mailboxAddress },
    createdAt: campaign.createdAt.toISOString(),
    import: { state: campaign.importState, rows: campaign.importRows, error: importErrorMessage(campaign, locale) },
    recipients: done ? campaign.recipientsTotal : null,
    invalid: done ? campaign.recipientsInvalid : null,
    beatsNeeded: done ? campaign.recipientsTotal * campaign.beatsPerRecipient : null,
  };
}

function importErrorMessage(campaign: Campaign, locale: Locale): string | null {
  if (!campaign.importError) return null;
  const key = `import.file.${campaign.importError.code}`;
  return isMessageKey(key) ? translate(locale, key, campaign.importError.params) : campaign.importError.code;
}

export function rowErrorMessage(error: RecipientError, locale: Locale): string {
  const key = `campaigns.row.${error.code}`;
  return isMessageKey(key) ? translate(locale, key, { column: error.column, ...error.params }) : error.code;
}
