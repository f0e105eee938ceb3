import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import { TenantContext } from '../db/tenant-context.js';
import { JobQueues } from '../queue/job-queues.js';
import type { TenantJobData } from '../queue/job-worker.js';
import { QUEUE_NAMES } from '../queue/queue-names.js';
import type { PendingTimer } from './engine-run.js';
import { ProcessTimerRepository } from './runtime-repositories.js';

export const FIRE_TIMER_JOB = 'fire-timer';

export interface TimerJobData extends TenantJobData {
  timerId: string;
}

/** A timer row to turn into a delayed job once the step that recorded it has committed. */
export interface TimerToSchedule {
  id: string;
  dueAt: Date;
  tenant: { tenantId: string; slug: string };
}

/**
 * Durable timers: after each step the timers the engine waits on are reconciled with the instance's
 * process_timers rows (new ones scheduled, vanished ones cancelled), and each scheduled row gets a
 * BullMQ delayed job whose id is the row's id, so adding it again (re-derivation) changes nothing.
 */
@Injectable()
export class ProcessTimers {
  constructor(
    private readonly timers: ProcessTimerRepository,
    private readonly queues: JobQueues,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Inside the step's transaction: rows for the pending timers that have none, `cancelled` for the
   * scheduled rows whose timer is gone (its task completed, or an interrupting timer fired), except
   * `firedId`, which the caller marks fired. Returns what to schedule after the commit.
   * `newInstance`: the instance was inserted in this transaction, so it has no rows to read yet.
   */
  async reconcile(
    manager: EntityManager,
    instanceId: string,
    pending: PendingTimer[],
    firedId?: string,
    newInstance = false,
  ): Promise<TimerToSchedule[]> {
    const repository = this.timers.within(manager);
    const rows = newInstance ? [] : await repository.find({ instanceId });
    const byExecution = new Map(rows.map((row) => [row.executionId, row]));
    const pendingIds = new Set(pending.map((timer) => timer.executionId));
    for (const row of rows) {
      if (row.state === 'scheduled' && row.id !== firedId && !pendingIds.has(row.executionId)) {
        await repository.update({ id: row.id }, { state: 'cancelled' });
      }
    }
    const scope = TenantContext.current();
    const toSchedule: TimerToSchedule[] = [];
    for (const timer of pending) {
      const known = byExecution.get(timer.executionId);
      if (known?.state === 'scheduled' && known.id !== firedId) continue;
      // A cycle re-arms under the same execution id: the row starts over with a new id, so its job is new too.
      if (known) await repository.delete({ id: known.id });
      const saved = await repository.insert({
        instanceId,
        elementId: timer.elementId,
        executionId: timer.executionId,
        dueAt: timer.dueAt,
        state: 'scheduled',
        firedAt: null,
      });
      toSchedule.push({ id: saved.id, dueAt: saved.dueAt, tenant: { tenantId: scope.tenantId, slug: scope.slug } });
    }
    return toSchedule;
  }

  /** Adds the delayed jobs; idempotent by job id. A crash before this is repaired by re-derivation at worker start. */
  async schedule(timers: TimerToSchedule[]): Promise<void> {
    const queue = this.queues.get(QUEUE_NAMES.processTimers);
    for (const timer of timers) {
      // Only the wait is accelerated: due_at and the engine's expireAt stay the BPMN's real times.
      const delay = Math.max(0, Math.round((timer.dueAt.getTime() - Date.now()) / this.config.PROCESS_CLOCK_FACTOR));
      const data: TimerJobData = { tenant: timer.tenant, timerId: timer.id };
      await queue.add(FIRE_TIMER_JOB, data, { jobId: timer.id, delay });
    }
  }
}
