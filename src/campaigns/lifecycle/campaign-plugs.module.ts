import { Module } from '@nestjs/common';
import { ApprovalStepPlug } from './approval-step.plug.js';
import { CampaignLauncher } from './campaign-launcher.js';
import { LaunchPlug } from './launch.plug.js';
import { LifecycleEventRepository } from './lifecycle-events.js';

/**
 * The service tasks of workflows/campaigns/mass-send.bpmn (docs/decisions/0028). Part of the core, like the PEC
 * routing plug: every role that validates workflows/ (the command line's tenant sync included) must know their
 * names, and the worker runs them.
 */
@Module({
  providers: [LifecycleEventRepository, CampaignLauncher, ApprovalStepPlug, LaunchPlug],
  exports: [LifecycleEventRepository, CampaignLauncher],
})
export class CampaignPlugsModule {}
