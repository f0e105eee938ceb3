import { Injectable } from '@nestjs/common';
import type { Principal } from '../../access/principal.js';
import type { Locale } from '../../i18n/locale.js';
import type { CampaignSummary, CampaignView } from '../campaign-input.js';
import type { RecipientState } from '../campaign-states.js';
import { CampaignRecipientRepository } from '../campaign.repository.js';
import { CampaignViews, countsFrom } from '../campaign-views.js';
import { bucketCurve, CURVE_SERIES, type Curve, type CurveSeries, type MinuteCount } from './delivery-curve.js';

export type StateCounts = CampaignView['counts'];

/** The timestamp column each curve series is counted from. */
const SERIES_COLUMN: Record<CurveSeries, string> = { sent: 'sent_at', delivered: 'delivered_at', failed: 'failed_at' };

/** A campaign of the manager view: its summary and its recipients per state. */
export interface CampaignTotals extends CampaignSummary {
  counts: StateCounts;
}

/**
 * What the icon dashboard shows (issue #7 item 7): recipients per state, for one campaign or for all the
 * caller may see, and the sending/delivery curve. Read from `campaign_recipients` only — the sending
 * pipeline moves those rows in another process, and every number here follows them without a message bus.
 */
@Injectable()
export class CampaignDashboard {
  constructor(
    private readonly views: CampaignViews,
    private readonly recipients: CampaignRecipientRepository,
  ) {}

  /** Counts per state of one campaign the caller may see (404 otherwise). */
  async counts(principal: Principal, id: string): Promise<StateCounts> {
    const campaign = await this.views.find(principal, id, 'see');
    return (await this.countsOf([campaign.id])).get(campaign.id)!;
  }

  async curve(principal: Principal, id: string): Promise<Curve> {
    const campaign = await this.views.find(principal, id, 'see');
    const rows: MinuteCount[] = [];
    for (const series of CURVE_SERIES) {
      const column = `r.${SERIES_COLUMN[series]}`;
      const counted = await this.recipients
        .query('r')
        .select(`floor(extract(epoch from ${column}) / 60)::bigint`, 'minute')
        .addSelect('count(*)::int', 'n')
        .andWhere('r.campaign_id = :campaignId', { campaignId: campaign.id })
        .andWhere(`${column} IS NOT NULL`)
        .groupBy('minute')
        .getRawMany<{ minute: string; n: number }>();
      rows.push(...counted.map((row) => ({ series, minute: Number(row.minute), n: row.n })));
    }
    return bucketCurve(rows);
  }

  /** The manager view: every campaign the caller may see (the latest 200, as the list) with its counts, and their sum. */
  async overview(principal: Principal, locale: Locale): Promise<{ totals: StateCounts; campaigns: CampaignTotals[] }> {
    const campaigns = await this.views.list(principal, locale);
    const counts = await this.countsOf(campaigns.map((campaign) => campaign.id));
    const rows = campaigns.map((campaign) => ({ ...campaign, counts: counts.get(campaign.id)! }));
    const totals = countsFrom([]);
    for (const row of rows) for (const key of Object.keys(totals) as (keyof StateCounts)[]) totals[key] += row.counts[key];
    return { totals, campaigns: rows };
  }

  /** One grouped count over the (tenant_id, campaign_id, state, row_number) index for all the campaigns at once. */
  private async countsOf(campaignIds: readonly string[]): Promise<Map<string, StateCounts>> {
    const rows =
      campaignIds.length === 0
        ? []
        : await this.recipients
            .query('r')
            .select('r.campaign_id', 'campaignId')
            .addSelect('r.state', 'state')
            .addSelect('count(*)::int', 'n')
            .andWhere('r.campaign_id = ANY(:campaignIds)', { campaignIds })
            .groupBy('r.campaign_id')
            .addGroupBy('r.state')
            .getRawMany<{ campaignId: string; state: RecipientState; n: number }>();
    return new Map(campaignIds.map((id) => [id, countsFrom(rows.filter((row) => row.campaignId === id))]));
  }
}
