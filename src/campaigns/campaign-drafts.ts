import { BeatPrices } from '../beats/price-list.js';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { RosterFileError } from '../access/provisioning/roster-file-error.js';
import type { Principal } from '../access/principal.js';
import { rosterFileProblem } from '../administration/import-messages.js';
import { actorOf } from '../administration/user-administration.js';
import { parseFields } from '../api/field-errors.js';
import { ProblemException, type FieldError } from '../api/problem.js';
import { ActivityLog } from '../audit/activity-log.js';
import type { Locale } from '../i18n/locale.js';
import { translate } from '../i18n/translate.js';
import { PecMessages } from '../pec/pec-messages.js';
import { CampaignFiles, type NewCampaignFile } from './campaign-files.js';
import { newCampaignSchema, testSendSchema, type CampaignSummary, type CreatedCampaign, type NewCampaign } from './campaign-input.js';
import { maxMessageBytes, rowAttachmentBudget } from './campaign-size.js';
import { checkTemplates, compileTemplates, type CampaignTemplates } from './campaign-templates.js';
import { CampaignRepository } from './campaign.repository.js';
import { RECIPIENT_ZIP_LIMITS, contentTypeOf, type CampaignUploads } from './campaign-uploads.js';
import { CampaignViews } from './campaign-views.js';
import { RecipientImport, templateBytes, templatesOf } from './recipient-import.js';
import { openRecipientSheet, type RecipientSheet } from './recipient-sheet.js';
import { ZipRefusedError, readAttachmentZip, type ZipEntry } from './recipient-zip.js';

/**
 * How long `POST /api/v1/campaigns` waits for the import before answering: small files come back complete
 * (recipients, invalid, beatsNeeded); a large one answers with `import.state: running` and the client follows
 * `GET /api/v1/campaigns/:id` (decision 0024).
 */
const IMPORT_WAIT_MS = 5_000;
const IMPORT_POLL_MS = 100;

/**
 * Creating a campaign draft: everything that can be checked without reading every row is checked in the
 * request (the mailbox, the sheet's header, templates against its columns, sizes, the ZIP), so mistakes come back
 * at once as field errors; the rows are imported by the worker (RecipientImport).
 */
@Injectable()
export class CampaignDrafts {
  constructor(
    private readonly dataSource: DataSource,
    private readonly campaigns: CampaignRepository,
    private readonly files: CampaignFiles,
    private readonly importer: RecipientImport,
    private readonly views: CampaignViews,
    private readonly prices: BeatPrices,
    private readonly pec: PecMessages,
    private readonly activity: ActivityLog,
  ) {}

  async create(principal: Principal, fields: unknown, uploads: CampaignUploads, locale: Locale): Promise<CreatedCampaign> {
    const input = parseFields(newCampaignSchema, fields, locale);
    const mailbox = await this.pec.sendingMailbox(principal, input.mailboxId);
    const sheetUpload = uploads.recipients?.[0];
    if (!sheetUpload) throw fieldProblem([{ field: 'recipients', message: translate(locale, 'field.required') }]);
    const sheet = await openRecipientSheet(sheetUpload.buffer, input.addressColumn).catch((error: unknown) => {
      throw error instanceof RosterFileError ? rosterFileProblem(error, locale, 'recipients', 422) : error;
    });
    const templates: CampaignTemplates = { subject: input.subject, html: input.html ?? null, text: input.text ?? null };
    const attachments = (uploads.attachments ?? []).map(uploaded);
    const budget = rowAttachmentBudget(
      maxMessageBytes(mailbox.maxMessageMb),
      templateBytes({ subjectTemplate: templates.subject, htmlTemplate: templates.html, textTemplate: templates.text }),
      attachments.map((file) => file.content.length),
    );
    const zipUpload = uploads.recipientAttachments?.[0];
    const errors = [
      ...this.templateErrors(templates, sheet, locale),
      ...attachmentErrors(input, sheet, zipUpload !== undefined, locale),
      ...(budget < 0
        ? [{ field: 'attachments', message: translate(locale, 'campaigns.error.attachmentsTooLarge', { mb: mailbox.maxMessageMb }) }]
        : []),
    ];
    if (errors.length > 0) throw fieldProblem(errors);
    const perRecipient = zipUpload ? await readZip(zipUpload.buffer, locale) : [];

    const id = randomUUID();
    // The tenant's contract price of one PEC recipient, recorded: the cost shown is the cost reserved.
    const beatsPerRecipient = await this.prices.perUnit('pec.send');
    await this.dataSource.transaction(async (manager) => {
      await this.campaigns.within(manager).insert({
        id,
        name: input.name,
        mailboxId: mailbox.id,
        subjectTemplate: templates.subject,
        htmlTemplate: templates.html,
        textTemplate: templates.text,
        addressColumn: sheet.header.columns[sheet.header.address] ?? input.addressColumn,
        attachmentColumn: input.attachmentColumn ?? null,
        columns: sheet.header.columns,
        createdBy: principal.userId,
        beatsPerRecipient,
      });
      await this.files.store(manager, id, 'recipients', [uploaded(sheetUpload)]);
      await this.files.store(manager, id, 'attachment', attachments);
      await this.files.store(
        manager,
        id,
        'recipient-attachment',
        perRecipient.map((entry) => ({ filename: entry.name, contentType: contentTypeOf(entry.name), content: entry.content })),
      );
    });
    await this.activity.record({
      action: 'campaign.created',
      actor: actorOf(principal),
      resource: { type: 'campaign', id },
      details: { name: input.name, mailboxId: mailbox.id, attachments: attachments.length, recipientAttachments: perRecipient.length },
    });
    await this.importer.enqueue(id);
    const summary = await this.waitForImport(principal, id, locale);
    return { id, recipients: summary.recipients, invalid: summary.invalid, beatsNeeded: summary.beatsNeeded, import: summary.import };
  }

  /** Sends one row's PEC, rendered as the campaign would send it, to a chosen address through the ordinary PEC sender. */
  async testSend(principal: Principal, id: string, body: unknown, locale: Locale): Promise<{ id: string }> {
    const campaign = await this.views.find(principal, id, 'act');
    const input = parseFields(testSendSchema, body, locale);
    if (campaign.importState !== 'done') throw new ProblemException(409, 'conflict', translate(locale, 'campaigns.error.importNotDone'));
    const { recipient, variables } = await this.views.variablesOf(campaign, input.row);
    if (recipient.state === 'invalid') throw fieldProblem([{ field: 'row', message: translate(locale, 'campaigns.error.invalidRow') }]);
    const message = compileTemplates(templatesOf(campaign))(variables);
    const shared = await this.files.list(campaign.id, 'attachment');
    const own =
      recipient.attachmentFileId === null
        ? []
        : (await this.files.list(campaign.id, 'recipient-attachment')).filter((file) => file.id === recipient.attachmentFileId);
    const attachments = await Promise.all(
      [...shared, ...own].map(async (file) => ({
        filename: file.filename,
        contentType: contentTypeOf(file.filename),
        contentBase64: (await this.files.content(campaign.id, file.id)).toString('base64'),
      })),
    );
    return this.pec.send(
      principal,
      {
        mailboxId: campaign.mailboxId,
        to: [input.to],
        cc: [],
        subject: message.subject,
        ...(message.html === null ? {} : { html: message.html }),
        ...(message.text === null ? {} : { text: message.text }),
        receiptType: 'completa',
        attachments,
      },
      locale,
    );
  }

  private templateErrors(templates: CampaignTemplates, sheet: RecipientSheet, locale: Locale): FieldError[] {
    return checkTemplates(templates, sheet.header.columns).errors.map((error) => ({
      field: error.field,
      message: translate(locale, `campaigns.template.${error.code}`, error.params),
    }));
  }

  private async waitForImport(principal: Principal, id: string, locale: Locale): Promise<CampaignSummary> {
    const deadline = Date.now() + IMPORT_WAIT_MS;
    for (;;) {
      const summary = await this.views.summary(principal, id, locale);
      if (summary.import.state === 'done' || summary.import.state === 'failed' || Date.now() >= deadline) return summary;
      await sleep(IMPORT_POLL_MS);
    }
  }
}

function attachmentErrors(input: NewCampaign, sheet: RecipientSheet, hasZip: boolean, locale: Locale): FieldError[] {
  const column = input.attachmentColumn;
  if (column === undefined) return hasZip ? [{ field: 'attachmentColumn', message: translate(locale, 'field.required') }] : [];
  const errors: FieldError[] = [];
  if (!sheet.header.columns.includes(column))
    errors.push({ field: 'attachmentColumn', message: translate(locale, 'campaigns.error.noSuchColumn', { column }) });
  if (!hasZip) errors.push({ field: 'recipientAttachments', message: translate(locale, 'field.required') });
  return errors;
}

async function readZip(bytes: Buffer, locale: Locale): Promise<ZipEntry[]> {
  try {
    return await readAttachmentZip(bytes, RECIPIENT_ZIP_LIMITS);
  } catch (error) {
    if (!(error instanceof ZipRefusedError)) throw error;
    throw fieldProblem([{ field: 'recipientAttachments', message: translate(locale, `campaigns.zip.${error.code}`, error.params) }]);
  }
}

function uploaded(file: Express.Multer.File): NewCampaignFile {
  return { filename: file.originalname, contentType: file.mimetype || 'application/octet-stream', content: file.buffer };
}

function fieldProblem(errors: FieldError[]): ProblemException {
  return new ProblemException(422, 'validation', undefined, { errors });
}
