import { Injectable } from '@nestjs/common';
import type { Principal } from '../../access/principal.js';
import { UserRepository } from '../../identity/user.repository.js';
import { MailboxRepository } from '../../mailboxes/mailbox.repository.js';
import { CampaignViews } from '../campaign-views.js';
import type { Campaign } from '../campaign.entities.js';
import { CampaignRecipientRepository } from '../campaign.repository.js';
import type { CampaignReport, CampaignReportRow } from './campaign-report.js';

/** Rows read per round trip: a report of 100,000 recipients is 100 queries, never 100,000 rows in memory. */
const PAGE = 1_000;

/**
 * The report of one campaign the caller may see (404 otherwise): the summary and the sendable
 * recipients in row order (invalid rows are in the error report instead), read a page at a time.
 */
@Injectable()
export class CampaignReports {
  constructor(
    private readonly views: CampaignViews,
    private readonly recipients: CampaignRecipientRepository,
    private readonly mailboxes: MailboxRepository,
    private readonly users: UserRepository,
  ) {}

  async of(principal: Principal, id: string): Promise<{ campaign: Campaign; report: CampaignReport }> {
    const campaign = await this.views.find(principal, id, 'see');
    const [mailbox, creator, counts] = await Promise.all([
      this.mailboxes.findOne({ id: campaign.mailboxId }),
      campaign.createdBy ? this.users.findOne({ id: campaign.createdBy }) : null,
      this.counts(campaign.id),
    ]);
    const report: CampaignReport = {
      summary: {
        name: campaign.name,
        mailbox: mailbox?.address ?? '',
        subject: campaign.subjectTemplate,
        status: campaign.status,
        createdBy: creator?.displayName ?? null,
        createdAt: campaign.createdAt,
        startedAt: campaign.startedAt,
        closedAt: campaign.closedAt,
        total: Object.values(counts).reduce((sum, n) => sum + n, 0),
        counts,
        generatedAt: new Date(),
      },
      rows: () => this.rows(campaign.id),
    };
    return { campaign, report };
  }

  private async counts(campaignId: string): Promise<Record<string, number>> {
    const rows = await this.recipients
      .query('r')
      .select('r.state', 'state')
      .addSelect('count(*)::int', 'n')
      .andWhere('r.campaign_id = :campaignId', { campaignId })
      .andWhere(`r.state <> 'invalid'`)
      .groupBy('r.state')
      .orderBy('r.state')
      .getRawMany<{ state: string; n: number }>();
    return Object.fromEntries(rows.map((row) => [row.state, row.n]));
  }

  private async *rows(campaignId: string): AsyncGenerator<CampaignReportRow> {
    let after = 0;
    for (;;) {
      const page = await this.recipients
        .query('r')
        .andWhere('r.campaign_id = :campaignId', { campaignId })
        .andWhere(`r.state <> 'invalid'`)
        .andWhere('r.row_number > :after', { after })
        .orderBy('r.row_number', 'ASC')
        .limit(PAGE)
        .getMany();
      for (const r of page) {
        yield {
          rowNumber: r.rowNumber,
          address: r.address,
          state: r.state,
          messageId: r.messageId,
          providerId: r.providerId,
          errorCode: r.errorCode,
          errorText: r.errorText,
          queuedAt: r.queuedAt,
          attemptedAt: r.attemptedAt,
          sentAt: r.sentAt,
          acceptedAt: r.acceptedAt,
          deliveredAt: r.deliveredAt,
          warnedAt: r.warnedAt,
          failedAt: r.failedAt,
        };
      }
      if (page.length < PAGE) return;
      after = page.at(-1)!.rowNumber;
    }
  }
}
