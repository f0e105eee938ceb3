import { Module } from '@nestjs/common';
import { AccessModule } from '../../access/access.module.js';
import { AuditModule } from '../../audit/audit.module.js';
import { IdentityModule } from '../../identity/identity.module.js';
import { PecMessagesModule } from '../../pec/pec-messages.module.js';
import { CampaignsModule } from '../campaigns.module.js';
import { CampaignDashboard } from './campaign-dashboard.js';
import { CampaignDashboardApiController } from './campaign-dashboard.api.controller.js';
import { CampaignDashboardPagesController } from './campaign-dashboard-pages.controller.js';
import { CampaignReceiptsZip } from './campaign-receipts-zip.js';
import { FailedResend } from './failed-resend.js';
import { RecipientList } from './recipient-list.js';

/** The icon dashboard (issue #7 item 7, decision 0027): API and pages over the campaigns' recipient rows. */
@Module({
  imports: [CampaignsModule, AccessModule, AuditModule, IdentityModule, PecMessagesModule],
  providers: [CampaignDashboard, RecipientList, FailedResend, CampaignReceiptsZip],
  controllers: [CampaignDashboardApiController, CampaignDashboardPagesController],
})
export class CampaignDashboardModule {}
