import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { MailboxesModule } from '../mailboxes/mailboxes.module.js';
import { PecMessagesModule } from '../pec/pec-messages.module.js';
import { CampaignPagesController } from './campaign-pages.controller.js';
import { CampaignsApiController } from './campaigns.api.controller.js';
import { CampaignsModule } from './campaigns.module.js';
import { CampaignLifecycleModule } from './lifecycle/campaign-lifecycle.module.js';
import { CampaignDashboardModule } from './dashboard/campaign-dashboard.module.js';
import { CampaignReports } from './reports/campaign-reports.js';

/** The campaigns' API and pages. */
@Module({
  imports: [
    CampaignsModule,
    CampaignDashboardModule,
    CampaignLifecycleModule,
    AccessModule,
    IdentityModule,
    MailboxesModule,
    PecMessagesModule,
  ],
  providers: [CampaignReports],
  controllers: [CampaignsApiController, CampaignPagesController],
})
export class CampaignsWebModule {}
