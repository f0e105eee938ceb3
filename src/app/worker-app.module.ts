import { Module } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaigns.module.js';
import { CampaignSendingModule } from '../campaigns/sending/campaign-sending.module.js';
import { PecIntakeModule } from '../pec/intake/pec-intake.module.js';
import { PecIntakeFlowModule } from '../pec/intake-flow/pec-intake-flow.module.js';
import { PecMessagesModule } from '../pec/pec-messages.module.js';
import { ProcessModule } from '../process/process.module.js';
import { CoreModule } from './core.module.js';

/**
 * The worker role: BullMQ consumers. Modules with job handlers are imported here (ProcessModule: timers and service
 * tasks; PecMessagesModule: sending; PecIntakeModule: PEC intake; PecIntakeFlowModule: the process each incoming PEC
 * starts; CampaignsModule: recipients imports; CampaignSendingModule: campaign sends and close checks).
 */
@Module({
  imports: [CoreModule, ProcessModule, PecMessagesModule, PecIntakeModule, PecIntakeFlowModule, CampaignsModule, CampaignSendingModule],
})
export class WorkerAppModule {}
