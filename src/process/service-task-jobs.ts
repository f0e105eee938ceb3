import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { ActivityLog } from '../audit/activity-log.js';
import { UserRepository } from '../identity/user.repository.js';
import { PlugBusinessError, PlugRejected, type PlugContext, type PlugOutput } from '../plugs/plug.js';
import { PlugInvocation } from '../plugs/plug-invocation.js';
import { TenantContext } from '../db/tenant-context.js';
import { HandlesJob } from '../queue/job-handler.js';
import { QUEUE_NAMES } from '../queue/queue-names.js';
import type { ProcessInstance } from './process-instance.entity.js';
import { ServiceTaskSteps } from './service-task-steps.js';
import { ProcessInstanceRepository } from './runtime-repositories.js';
import { idempotencyKeyOf, type ServiceJob } from './service-job.entity.js';
import { VariablesTooLarge } from './variable-limit.js';
import { RUN_SERVICE_TASK_JOB, ServiceJobRepository, ServiceJobs, type ServiceTaskJobData } from './service-jobs.js';

type Outcome = 'completed' | 'caught' | 'incident' | 'skipped';

/**
 * The worker side of service tasks: call the task's plug outside any transaction (it may take a
 * while and talk to the outside world), then take the step that completes the task. BullMQ retries
 * a failed call with exponential back-off; the last failure opens an incident instead of failing.
 * A worker dying mid-call leaves the job to be picked up again: the plug sees the same idempotency key.
 */
@Injectable()
export class ServiceTaskJobs {
  constructor(
    private readonly steps: ServiceTaskSteps,
    private readonly serviceJobs: ServiceJobs,
    private readonly rows: ServiceJobRepository,
    private readonly instances: ProcessInstanceRepository,
    private readonly users: UserRepository,
    private readonly plugs: PlugInvocation,
    private readonly activity: ActivityLog,
  ) {}

  @HandlesJob(QUEUE_NAMES.processServiceTasks, RUN_SERVICE_TASK_JOB)
  async run(job: Job<ServiceTaskJobData>): Promise<{ outcome: Outcome }> {
    const row = await this.rows.findOne({ id: job.data.serviceJobId });
    if (!row || row.state !== 'pending') return { outcome: 'skipped' };
    const instance = await this.instances.findOne({ id: row.instanceId });
    if (instance?.status !== 'waiting') {
      // Failed or ended meanwhile: nothing will take the answer, so the plug is not called.
      await this.serviceJobs.cancel(row.id);
      return { outcome: 'skipped' };
    }
    let answer: PlugOutput;
    try {
      answer = await this.plugs.invoke(row.topic, row.input, await this.contextOf(row, instance));
    } catch (error) {
      return this.failed(job, row, error);
    }
    try {
      return { outcome: (await this.steps.completeServiceTask(row.id, answer)) ? 'completed' : 'skipped' };
    } catch (error) {
      if (!(error instanceof VariablesTooLarge)) throw error;
      // Retrying would get the same answer: the task waits as an incident, with the reason, until fixed and retried.
      const reason = `output of ${row.topic} refused: ${error.detail}`;
      if (await this.serviceJobs.recordFailure(row.id, reason, { errorCode: null })) await this.opened(row, reason);
      return { outcome: 'incident' };
    }
  }

  private async failed(job: Job<ServiceTaskJobData>, row: ServiceJob, error: unknown): Promise<{ outcome: Outcome }> {
    if (error instanceof PlugBusinessError) {
      const thrown = await this.steps.throwServiceError(row.id, error.code, error.message);
      if (thrown.outcome === 'caught') return { outcome: 'caught' };
      if (thrown.outcome === 'gone') return { outcome: 'skipped' };
      const reason = `BPMN error ${error.code} (${error.message}) is not caught: ${thrown.reason}`;
      if (await this.serviceJobs.recordFailure(row.id, reason, { errorCode: error.code })) await this.opened(row, reason);
      return { outcome: 'incident' };
    }
    const message = error instanceof Error ? error.message : String(error);
    const last = error instanceof PlugRejected || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (await this.serviceJobs.recordFailure(row.id, message, last ? { errorCode: null } : null)) {
      await this.opened(row, message);
      return { outcome: 'incident' };
    }
    if (last) return { outcome: 'skipped' };
    // BullMQ retries it after the back-off.
    throw error;
  }

  private async opened(row: ServiceJob, error: string): Promise<void> {
    await this.activity.record({
      action: 'process.incident-opened',
      actor: 'system',
      resource: { type: 'process-instance', id: row.instanceId },
      details: { elementId: row.elementId, topic: row.topic, error },
    });
  }

  private async contextOf(row: ServiceJob, instance: ProcessInstance): Promise<PlugContext> {
    const starter = instance.startedBy ? await this.users.findOne({ id: instance.startedBy }) : null;
    return {
      tenantId: TenantContext.current().tenantId,
      idempotencyKey: idempotencyKeyOf(row),
      instanceId: row.instanceId,
      executionId: row.executionId,
      principal: starter ? { userId: starter.id, email: starter.email } : null,
    };
  }
}
