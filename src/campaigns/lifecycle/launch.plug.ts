import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { ProblemException } from '../../api/problem.js';
import { isMessageKey } from '../../i18n/translate.js';
import { TenantScopedRepository } from '../../db/tenant-scoped.repository.js';
import { PlugBusinessError, RegisterPlug, type Plug, type PlugOutput } from '../../plugs/plug.js';
import { Campaign } from '../campaign.entities.js';
import { CampaignLauncher } from './campaign-launcher.js';
import { LifecycleEventRepository } from './lifecycle-events.js';

const input = z.object({ campaignId: z.string().uuid() });
type LaunchInput = z.infer<typeof input>;

/** The BPMN error of a launch that did not happen (the model's `LaunchRefused` boundary event). */
export const LAUNCH_REFUSED = 'campaign-launch-refused';

/**
 * `campaign.launch`: the launch step of workflows/campaigns/mass-send.bpmn. Free (price 0): the launch itself
 * reserves the campaign's beats. A campaign still `scheduled` is handed to the CampaignLauncher; one already past
 * it (a repeated call after a crash) is left alone. A launch the pipeline refuses (beats exhausted, mailbox gone…)
 * is not an incident but a business outcome: the campaign goes back to draft with the reason — the problem's
 * message key, or the error's text — and the BPMN error ends the process. A campaign cancelled before its launch
 * ends the process the same way, staying cancelled.
 */
@RegisterPlug()
@Injectable()
export class LaunchPlug implements Plug<LaunchInput> {
  readonly name = 'campaign.launch';
  readonly version = '1';
  readonly input = input;
  private readonly logger = new Logger(LaunchPlug.name);
  private readonly campaigns: TenantScopedRepository<Campaign>;

  constructor(
    dataSource: DataSource,
    private readonly launcher: CampaignLauncher,
    private readonly events: LifecycleEventRepository,
  ) {
    this.campaigns = new TenantScopedRepository(dataSource, Campaign);
  }

  async handle(call: LaunchInput): Promise<PlugOutput> {
    const campaign = await this.campaigns.findOne({ id: call.campaignId });
    if (!campaign || campaign.status === 'cancelled' || campaign.status === 'draft') {
      throw new PlugBusinessError(LAUNCH_REFUSED, `campaign ${campaign?.status ?? 'gone'}`);
    }
    if (campaign.status !== 'scheduled') return { launched: true };
    try {
      await this.launcher.launch(campaign.id);
    } catch (error) {
      const reason = reasonOf(error);
      this.logger.warn(`campaign ${campaign.id} not launched: ${reason}`);
      await this.campaigns.update({ id: campaign.id, status: 'scheduled' }, { status: 'draft' });
      await this.events.insert({ campaignId: campaign.id, event: 'launch-refused', reason });
      throw new PlugBusinessError(LAUNCH_REFUSED, reason);
    }
    return { launched: true };
  }
}

/**
 * A problem's message key (`problem.beats-exhausted`: the campaign page translates it) for a problem or a
 * business refusal that has one (BeatsExhausted, from the launch's reservation), otherwise the error's text.
 */
export function reasonOf(error: unknown): string {
  if (error instanceof ProblemException) return `problem.${error.problemType.split('/').pop()}`;
  if (error instanceof PlugBusinessError && isMessageKey(`problem.${error.code}`)) return `problem.${error.code}`;
  return error instanceof Error ? error.message.slice(0, 500) : String(error).slice(0, 500);
}
