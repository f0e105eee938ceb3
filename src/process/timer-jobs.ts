import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { HandlesJob } from '../queue/job-handler.js';
import { QUEUE_NAMES } from '../queue/queue-names.js';
import { TaskSteps } from './task-steps.js';
import { FIRE_TIMER_JOB, ProcessTimers, type TimerJobData } from './process-timers.js';
import { StartTimers } from './start-timers.js';
import { TaskEscalations } from './task-escalation.js';

interface ScheduledRow {
  id: string;
  due_at: Date;
  tenant_id: string;
  slug: string;
}

/** The worker side of durable timers: firing a due one, and re-adding the jobs Redis may have lost. */
@Injectable()
export class TimerJobs {
  private readonly logger = new Logger(TimerJobs.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly steps: TaskSteps,
    private readonly timers: ProcessTimers,
    private readonly escalations: TaskEscalations,
    private readonly startTimers: StartTimers,
  ) {}

  /**
   * Runs inside the job's tenant scope (JobWorker); a timer already fired or cancelled is a no-op.
   * Escalation is looked at first, while the task the timer watches is still there to look at.
   */
  @HandlesJob(QUEUE_NAMES.processTimers, FIRE_TIMER_JOB)
  async fire(job: Job<TimerJobData>): Promise<{ fired: boolean; escalated: string[] }> {
    const escalated = await this.escalations.beforeFire(job.data.timerId);
    return { fired: await this.steps.fire(job.data.timerId), escalated };
  }

  /**
   * At worker start: a delayed job for every scheduled timer, of every tenant (so it reads the table
   * directly, like the session janitor). The job id is the row id, so jobs Redis still has are kept
   * as they are, and losing Redis loses no timer.
   */
  async rederive(): Promise<number> {
    const rows = await this.dataSource.query<ScheduledRow[]>(
      `SELECT t.id, t.due_at, t.tenant_id, n.slug FROM process_timers t JOIN tenants n ON n.id = t.tenant_id WHERE t.state = 'scheduled'`,
    );
    await this.timers.schedule(
      rows.map((row) => ({ id: row.id, dueAt: new Date(row.due_at), tenant: { tenantId: row.tenant_id, slug: row.slug } })),
    );
    const starts = await this.startTimers.rederive();
    if (rows.length + starts > 0) this.logger.log(`re-derived ${rows.length} process timer jobs and ${starts} timer start jobs`);
    return rows.length + starts;
  }
}
