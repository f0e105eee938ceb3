import type { CampaignRecipient } from '../campaign.entities.js';
import type { CampaignRecipientRepository } from '../campaign.repository.js';

/**
 * A campaign's recipients in file order, `size` rows per statement, keyset on the row number: a walk over
 * 100,000 rows never holds them all nor pays for an OFFSET. `states` limits it (the state index serves it).
 */
export async function* recipientBatches(
  recipients: CampaignRecipientRepository,
  campaignId: string,
  states: readonly string[],
  size: number,
  columns?: readonly string[],
): AsyncGenerator<CampaignRecipient[]> {
  for (let after = 0; ;) {
    const query = recipients.query('r');
    if (columns) query.select(columns.map((column) => `r.${column}`));
    const rows = await query
      .andWhere('r.campaign_id = :campaignId', { campaignId })
      .andWhere('r.state IN (:...states)', { states })
      .andWhere('r.row_number > :after', { after })
      .orderBy('r.row_number', 'ASC')
      .limit(size)
      .getMany();
    if (rows.length === 0) return;
    yield rows;
    after = rows.at(-1)!.rowNumber;
  }
}
