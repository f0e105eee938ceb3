import { Module, type OnModuleInit } from '@nestjs/common';
import { AccessModule } from '../../access/access.module.js';
import { AuditModule } from '../../audit/audit.module.js';
import { IdentityModule } from '../../identity/identity.module.js';
import { ProcessModule } from '../../process/process.module.js';
import { TaskGuards } from '../../process/task-guards.js';
import { TaskLinks } from '../../process/task-links.js';
import { CampaignsModule } from '../campaigns.module.js';
import { CampaignRepository } from '../campaign.repository.js';
import { ApprovalTaskGuard } from './approval-task-guard.js';
import { approvalTaskLinks } from './approval-task-links.js';
import { CampaignLifecycleApiController } from './campaign-lifecycle.api.controller.js';
import { CampaignLifecyclePagesController } from './campaign-lifecycle-pages.controller.js';
import { CampaignLifecycle } from './campaign-lifecycle.js';
import { CampaignPlugsModule } from './campaign-plugs.module.js';
import { BeatsModule } from '../../beats/beats.module.js';
import { CampaignSendingModule } from '../sending/campaign-sending.module.js';

/**
 * A campaign from draft to launch (docs/decisions/0028): start and cancel (API and page forms), the approval
 * history, and the rules on its approval tasks (the author may not decide; a rejection says why).
 */
@Module({
  imports: [
    AccessModule,
    AuditModule,
    BeatsModule,
    IdentityModule,
    ProcessModule,
    CampaignsModule,
    CampaignPlugsModule,
    CampaignSendingModule,
  ],
  providers: [CampaignLifecycle, ApprovalTaskGuard, CampaignRepository],
  controllers: [CampaignLifecycleApiController, CampaignLifecyclePagesController],
  exports: [CampaignLifecycle],
})
export class CampaignLifecycleModule implements OnModuleInit {
  constructor(
    private readonly guards: TaskGuards,
    private readonly guard: ApprovalTaskGuard,
    private readonly links: TaskLinks,
  ) {}

  onModuleInit(): void {
    this.guards.use(this.guard.check);
    this.links.use(approvalTaskLinks);
  }
}
