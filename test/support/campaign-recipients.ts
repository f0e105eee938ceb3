import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CampaignRecipient } from '../../src/campaigns/campaign.entities.js';
import { CampaignRecipientRepository } from '../../src/campaigns/campaign.repository.js';
import { TenantContext } from '../../src/db/tenant-context.js';
import { Tenant } from '../../src/tenancy/tenant.entity.js';

export type RecipientFixture = Partial<
  Pick<
    CampaignRecipient,
    'state' | 'errorCode' | 'errorText' | 'providerId' | 'attemptedAt' | 'sentAt' | 'acceptedAt' | 'deliveredAt' | 'warnedAt' | 'failedAt'
  >
>;

/**
 * A FIXTURE for the state the sending pipeline would produce (another slice moves these rows): writes
 * recipient rows through the campaign repository, in the workspace's scope, keyed by row number.
 */
export async function setRecipientStates(
  app: INestApplicationContext,
  tenantSlug: string,
  campaignId: string,
  rows: Record<number, RecipientFixture>,
): Promise<void> {
  const tenant = await app.get(DataSource).getRepository(Tenant).findOneByOrFail({ slug: tenantSlug });
  const recipients = app.get(CampaignRecipientRepository);
  await TenantContext.run({ tenantId: tenant.id, slug: tenant.slug }, async () => {
    for (const [row, patch] of Object.entries(rows)) await recipients.update({ campaignId, rowNumber: Number(row) }, patch);
  });
}
