import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, In, type EntityManager } from 'typeorm';
import type { Principal } from '../../access/principal.js';
import { actorOf } from '../../administration/user-administration.js';
import { ProblemException } from '../../api/problem.js';
import { ActivityLog } from '../../audit/activity-log.js';
import { BeatPrices } from '../../beats/price-list.js';
import type { Locale } from '../../i18n/locale.js';
import { translate } from '../../i18n/translate.js';
import type { Mailbox } from '../../mailboxes/mailbox.entity.js';
import { PecMessages } from '../../pec/pec-messages.js';
import { SecretBox } from '../../secrets/secret-box.js';
import { CampaignFiles } from '../campaign-files.js';
import { campaignMessageId } from '../campaign-message-id.js';
import type { Campaign, CampaignRecipient } from '../campaign.entities.js';
import { CampaignRecipientRepository, CampaignRepository } from '../campaign.repository.js';
import { contentTypeOf } from '../campaign-uploads.js';
import { CampaignViews } from '../campaign-views.js';
import { openVariables, sealVariables } from '../recipient-variables.js';
import { recipientBatches } from './recipient-batches.js';

/** Rows read and written per statement: a campaign may have thousands of failures. */
const BATCH = 1_000;
/** What counts as failed, as in the counts (decision 0024): the 24 h timeouts too. */
const FAILED = ['failed', 'failed-timeout'];

/**
 * "Resend the failed recipients" (issue #7 item 7, decision 0027): a NEW draft campaign holding the rows that
 * failed (`failed` and `failed-timeout`) — never the old campaign reopened, because its recipients' PEC were
 * legal communications with their own receipts and its report must stay as it was. The draft keeps the
 * templates, mailbox, approval and each row's number, variables and attachment; it goes through approval and
 * start like any other, with new deterministic Message-IDs. Sealed data is opened with the old campaign's
 * context and sealed again with the new one's (decision 0024: a sealed value is bound to its campaign and row).
 */
@Injectable()
export class FailedResend {
  constructor(
    private readonly dataSource: DataSource,
    private readonly views: CampaignViews,
    private readonly campaigns: CampaignRepository,
    private readonly recipients: CampaignRecipientRepository,
    private readonly files: CampaignFiles,
    private readonly pec: PecMessages,
    private readonly prices: BeatPrices,
    private readonly box: SecretBox,
    private readonly activity: ActivityLog,
  ) {}

  async resend(principal: Principal, id: string, locale: Locale): Promise<{ id: string; recipients: number }> {
    const original = await this.views.find(principal, id, 'act');
    // The new campaign sends from the same mailbox: the caller must still be allowed to.
    const mailbox = await this.pec.sendingMailbox(principal, original.mailboxId);
    const total = await this.recipients.count({ campaignId: original.id, state: In(FAILED) });
    if (total === 0) throw new ProblemException(409, 'conflict', translate(locale, 'campaigns.dashboard.noFailed'));

    const newId = randomUUID();
    const beatsPerRecipient = await this.prices.perUnit('pec.send');
    await this.dataSource.transaction(async (manager) => {
      await this.campaigns.within(manager).insert({
        id: newId,
        name: translate(locale, 'campaigns.dashboard.resendName', { name: original.name }).slice(0, 200),
        mailboxId: original.mailboxId,
        subjectTemplate: original.subjectTemplate,
        htmlTemplate: original.htmlTemplate,
        textTemplate: original.textTemplate,
        addressColumn: original.addressColumn,
        attachmentColumn: original.attachmentColumn,
        columns: original.columns,
        approval: original.approval,
        createdBy: principal.userId,
        beatsPerRecipient,
        // The rows come from a campaign already imported and checked: nothing for the worker to import.
        importState: 'done',
        importRows: total,
        recipientsTotal: total,
        recipientsInvalid: 0,
      });
      await this.copyFiles(
        manager,
        original.id,
        newId,
        (await this.files.list(original.id, 'attachment')).map((file) => file.id),
        'attachment',
      );
      await this.copyRows(manager, original, newId, mailbox);
    });
    await this.activity.record({
      action: 'campaign.created',
      actor: actorOf(principal),
      resource: { type: 'campaign', id: newId },
      details: { name: original.name, mailboxId: original.mailboxId, resendOf: original.id, recipients: total },
    });
    return { id: newId, recipients: total };
  }

  private async copyRows(manager: EntityManager, original: Campaign, newId: string, mailbox: Mailbox): Promise<void> {
    const copied = new Map<string, string>();
    for await (const rows of recipientBatches(this.recipients, original.id, FAILED, BATCH)) {
      const own = [
        ...new Set(rows.map((row) => row.attachmentFileId).filter((file): file is string => file !== null && !copied.has(file))),
      ];
      for (const [from, to] of await this.copyFiles(manager, original.id, newId, own, 'recipient-attachment')) copied.set(from, to);
      await this.recipients.within(manager).insertMany(rows.map((row) => this.copyOf(row, original.id, newId, mailbox, copied)));
    }
  }

  private copyOf(row: CampaignRecipient, oldId: string, newId: string, mailbox: Mailbox, files: Map<string, string>) {
    const variables = openVariables(this.box, oldId, row.rowNumber, row.variables);
    return {
      campaignId: newId,
      rowNumber: row.rowNumber,
      address: row.address,
      variables: sealVariables(this.box, newId, row.rowNumber, variables),
      attachmentFileId: row.attachmentFileId === null ? null : files.get(row.attachmentFileId)!,
      state: 'queued' as const,
      errors: [],
      messageId: campaignMessageId(newId, row.rowNumber, mailbox.address),
    };
  }

  /** Copies files one at a time (each holds its bytes): opened with the old file's context, sealed anew. Old id → new id. */
  private async copyFiles(
    manager: EntityManager,
    oldId: string,
    newId: string,
    fileIds: readonly string[],
    kind: 'attachment' | 'recipient-attachment',
  ): Promise<Map<string, string>> {
    const stored = new Map((await this.files.list(oldId, kind)).map((file) => [file.id, file]));
    const ids = new Map<string, string>();
    for (const fileId of fileIds) {
      const file = stored.get(fileId)!;
      const content = await this.files.content(oldId, fileId);
      const [copy] = await this.files.store(manager, newId, kind, [
        { filename: file.filename, contentType: contentTypeOf(file.filename), content },
      ]);
      ids.set(fileId, copy!.id);
    }
    return ids;
  }
}
