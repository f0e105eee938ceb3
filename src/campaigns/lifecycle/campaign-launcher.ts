import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { CampaignSending } from '../sending/campaign-sending.js';

/**
 * The seam between the approval process and the sending pipeline (docs/decisions/0028): the `campaign.launch`
 * service task calls this, in the campaign's tenant context, once the campaign is approved and its time has come.
 * `CampaignSending.launch` reserves the beats, moves the campaign from `scheduled` to `sending` and queues the
 * recipients. The plug calls it only for a campaign still `scheduled` (a retried task finds it past that and skips),
 * and whatever it throws sends the campaign back to draft with the error as the reason (launch.plug.ts).
 *
 * The pipeline is looked up when the task runs, not injected: this plug is part of the core, which every role loads
 * (the command line's tenant sync must know the plug's name to validate workflows/), while the pipeline's module
 * graph (PEC transports, pacing, queues) exists only in the web and worker roles, the ones that run service tasks.
 */
@Injectable()
export class CampaignLauncher {
  constructor(private readonly modules: ModuleRef) {}

  async launch(campaignId: string): Promise<void> {
    await this.modules.get(CampaignSending, { strict: false }).launch(campaignId);
  }
}
