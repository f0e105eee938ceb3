import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { TenantScopedRepository } from '../../db/tenant-scoped.repository.js';
import { RegisterPlug, type Plug, type PlugContext, type PlugOutput } from '../../plugs/plug.js';
import { Task } from '../../process/task.entity.js';
import { Campaign } from '../campaign.entities.js';
import { LifecycleEventRepository } from './lifecycle-events.js';

const input = z.object({
  campaignId: z.string().uuid(),
  /** 0: the campaign needs no approval; 1 or 2: the approval task of that level (Approve1, Approve2) was just completed. */
  level: z.coerce.number().int().min(0).max(2),
  levels: z.coerce.number().int().min(0).max(2),
});
type ApprovalStepInput = z.infer<typeof input>;

/** What the model's `Outcome` gateway reads: the next approval level, wait for the scheduled time, launch now, or stop. */
export type ApprovalOutcome = 'next' | 'wait' | 'launch' | 'stopped';

/**
 * `campaign.approval`: the step after each approval task of workflows/campaigns/mass-send.bpmn (and instead of them
 * when the tenant needs none). It records the decision the task's form carried — who, when, why — in the campaign's
 * history, sends a rejected campaign back to draft, and once the last level approves marks it `scheduled` and
 * answers whether to wait for `scheduled_at` (`waitUntil`) or launch now. A campaign cancelled meanwhile stops the
 * process. Status changes are conditional and the decision is keyed by its task, so a repeated call changes nothing.
 */
@RegisterPlug()
@Injectable()
export class ApprovalStepPlug implements Plug<ApprovalStepInput> {
  readonly name = 'campaign.approval';
  readonly version = '1';
  readonly input = input;
  private readonly campaigns: TenantScopedRepository<Campaign>;
  private readonly tasks: TenantScopedRepository<Task>;

  constructor(
    dataSource: DataSource,
    private readonly events: LifecycleEventRepository,
  ) {
    this.campaigns = new TenantScopedRepository(dataSource, Campaign);
    this.tasks = new TenantScopedRepository(dataSource, Task);
  }

  async handle(call: ApprovalStepInput, context: PlugContext): Promise<PlugOutput> {
    const campaign = await this.campaigns.findOne({ id: call.campaignId });
    if (!campaign || campaign.status === 'cancelled') return answer('stopped');
    if (call.level > 0) {
      const decided = await this.decision(call, context);
      if (decided === 'reject') {
        await this.campaigns.update({ id: campaign.id, status: 'awaiting-approval' }, { status: 'draft' });
        return answer('stopped');
      }
      if (call.level < call.levels) return answer('next');
    }
    const released = await this.campaigns.update(
      [
        { id: campaign.id, status: 'awaiting-approval' },
        { id: campaign.id, status: 'scheduled' },
      ],
      { status: 'scheduled' },
    );
    if (released === 0) return answer('stopped');
    const at = campaign.scheduledAt;
    return at && at.getTime() > Date.now() ? answer('wait', at.toISOString()) : answer('launch');
  }

  /** The decision of the level's task (the latest completion: a task passes once per level), recorded once. */
  private async decision(call: ApprovalStepInput, context: PlugContext): Promise<'approve' | 'reject'> {
    if (!context.instanceId) throw new Error('campaign.approval runs only as a step of mass-send');
    const [task] = await this.tasks.find(
      { instanceId: context.instanceId, elementId: `Approve${call.level}`, state: 'completed' },
      { order: { completedAt: 'DESC' }, take: 1 },
    );
    if (!task) throw new Error(`no completed approval task of level ${call.level}`);
    const decision = task.data?.decision === 'approve' ? 'approve' : 'reject';
    const reason = typeof task.data?.reason === 'string' && task.data.reason.trim() ? task.data.reason.trim() : null;
    await this.events.insertOnce({
      campaignId: call.campaignId,
      event: decision === 'approve' ? 'approved' : 'rejected',
      level: call.level,
      actorId: task.completedBy,
      reason,
      taskId: task.id,
      createdAt: task.completedAt ?? new Date(),
    });
    return decision;
  }
}

function answer(outcome: ApprovalOutcome, waitUntil: string | null = null): PlugOutput {
  return { outcome, waitUntil };
}
