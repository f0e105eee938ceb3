import { Module } from '@nestjs/common';
import { AccessModule } from '../../access/access.module.js';
import { AuditModule } from '../../audit/audit.module.js';
import { IdentityModule } from '../../identity/identity.module.js';
import { MailboxesModule } from '../../mailboxes/mailboxes.module.js';
import { PacingModule } from '../../pacing/pacing.module.js';
import { PecMessagesModule } from '../../pec/pec-messages.module.js';
import { ProcessModule } from '../../process/process.module.js';
import { CampaignsModule } from '../campaigns.module.js';
import { CampaignRepository } from '../campaign.repository.js';
import { CampaignCharges } from './campaign-charges.js';
import { CampaignComposer } from './campaign-composer.js';
import { CampaignDispatch } from './campaign-dispatch.js';
import { CampaignFinish } from './campaign-finish.js';
import { CampaignJobs } from './campaign-jobs.js';
import { CampaignReceipts } from './campaign-receipts.js';
import { CampaignSending } from './campaign-sending.js';
import { CampaignSendingApiController } from './campaign-sending.api.controller.js';
import { RecipientBatches } from './recipient-batches.js';

/**
 * Sending campaigns (decision 0026): the lifecycle service and its API, the batch sender and the close
 * checks (worker jobs on the `campaigns` queue) and the receipt tracking the PEC correlator hands over.
 */
@Module({
  imports: [AccessModule, AuditModule, IdentityModule, MailboxesModule, PacingModule, PecMessagesModule, ProcessModule, CampaignsModule],
  providers: [
    CampaignRepository,
    RecipientBatches,
    CampaignCharges,
    CampaignComposer,
    CampaignJobs,
    CampaignFinish,
    CampaignDispatch,
    CampaignReceipts,
    CampaignSending,
  ],
  controllers: [CampaignSendingApiController],
  exports: [CampaignSending, CampaignDispatch],
})
export class CampaignSendingModule {}
