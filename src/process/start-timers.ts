import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DataSource, QueryFailedError } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import { TenantContext } from '../db/tenant-context.js';
import { HandlesJob } from '../queue/job-handler.js';
import { JobQueues } from '../queue/job-queues.js';
import type { TenantJobData } from '../queue/job-worker.js';
import { QUEUE_NAMES } from '../queue/queue-names.js';
import { Tenant } from '../tenancy/tenant.entity.js';
import { readDeployedBpmn } from './bpmn-reader.js';
import type { ProcessDefinition } from './process-definition.entity.js';
import { ProcessDefinitionRepository } from './process-definition.repository.js';
import { ProcessRuntime } from './process-runtime.js';
import { ProcessStartTimerRepository } from './runtime-repositories.js';
import type { ProcessStartTimer } from './start-timer.entity.js';
import { dueOf, startTimersOf, type StartTimerSpec } from './start-timer-plan.js';

export const FIRE_START_TIMER_JOB = 'fire-start-timer';

interface StartTimerJobData extends TenantJobData {
  startTimerId: string;
}

interface ScheduledRow {
  id: string;
  due_at: Date;
  tenant_id: string;
  slug: string;
}

/**
 * Timer start events: the latest version of each process owns the schedule of its start timers, one
 * process_start_timers row per firing and a delayed job per scheduled row (job id `start-<row id>`).
 * A firing starts one instance and, in the same transaction, plans the next firing of a cycle; a new
 * version cancels the old one's scheduled rows and starts its own schedule.
 */
@Injectable()
export class StartTimers {
  private readonly logger = new Logger(StartTimers.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly definitions: ProcessDefinitionRepository,
    private readonly rows: ProcessStartTimerRepository,
    private readonly runtime: ProcessRuntime,
    private readonly queues: JobQueues,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** In the tenant's context, after a deployment of `key` (or at worker start): the latest version takes the schedule over. */
  async sync(key: string): Promise<void> {
    const [latest] = await this.definitions.find({ key }, { order: { version: 'DESC' }, take: 1 });
    await this.dataSource.query(
      `UPDATE process_start_timers s SET state = 'cancelled' FROM process_definitions d
        WHERE d.id = s.definition_id AND s.tenant_id = $1 AND d.key = $2 AND s.definition_id <> $3 AND s.state = 'scheduled'`,
      [TenantContext.current().tenantId, key, latest?.id ?? null],
    );
    if (!latest) return;
    const toSchedule: ProcessStartTimer[] = [];
    for (const spec of await specsOf(latest)) {
      const [last] = await this.rows.find({ definitionId: latest.id, elementId: spec.elementId }, { order: { firing: 'DESC' }, take: 1 });
      // A fired row has planned its successor in its own transaction: nothing to add after it.
      if (last) {
        if (last.state === 'scheduled') toSchedule.push(last);
        continue;
      }
      // Counted from the deployment, so a second sync computes the same first firing (and the unique key keeps one).
      const due = dueOf(spec, 1, null, latest.deployedAt);
      const first = due && (await this.insertFiring(latest, spec.elementId, 1, due));
      if (first) toSchedule.push(first);
    }
    await this.schedule(toSchedule.map((row) => ({ ...row, tenant: TenantContext.current() })));
  }

  /**
   * At worker start: every workspace's processes with a timer start are synced (workflow files are
   * deployed by the web role's tenant sync, without calling this), then a job for every scheduled row.
   */
  async rederive(): Promise<number> {
    const tenants = await this.dataSource.getRepository(Tenant).find({ where: { enabled: true } });
    for (const tenant of tenants) {
      await TenantContext.run({ tenantId: tenant.id, slug: tenant.slug }, async () => {
        const keys = await this.definitions
          .query('d')
          .select('DISTINCT d.key', 'key')
          .andWhere(`strpos(d.bpmn, 'timerEventDefinition') > 0`)
          .getRawMany<{ key: string }>();
        for (const { key } of keys) await this.sync(key);
      });
    }
    const rows = await this.dataSource.query<ScheduledRow[]>(
      `SELECT s.id, s.due_at, s.tenant_id, n.slug FROM process_start_timers s JOIN tenants n ON n.id = s.tenant_id WHERE s.state = 'scheduled'`,
    );
    await this.schedule(
      rows.map((row) => ({ id: row.id, dueAt: new Date(row.due_at), tenant: { tenantId: row.tenant_id, slug: row.slug } })),
    );
    return rows.length;
  }

  /** Runs inside the job's tenant scope. A firing already used, cancelled, or of a version no longer latest does nothing. */
  @HandlesJob(QUEUE_NAMES.processTimers, FIRE_START_TIMER_JOB)
  async fire(job: Job<StartTimerJobData>): Promise<{ started: string | null }> {
    const row = await this.rows.findOne({ id: job.data.startTimerId });
    if (!row || row.state !== 'scheduled') return { started: null };
    const definition = await this.definitions.findOne({ id: row.definitionId });
    const spec = definition && (await specsOf(definition)).find((s) => s.elementId === row.elementId);
    if (!definition || !spec) {
      await this.rows.update({ id: row.id, state: 'scheduled' }, { state: 'cancelled' });
      return { started: null };
    }
    let next: ProcessStartTimer | null = null;
    const answer = await this.runtime.startOnTimer(definition, row.elementId, async (manager, instanceId) => {
      const rows = this.rows.within(manager);
      // Two deliveries of the job: the second waits on this row and then finds it fired.
      const claimed = await rows.update({ id: row.id, state: 'scheduled' }, { state: 'fired', firedAt: new Date(), instanceId });
      if (claimed === 0) return false;
      const due = dueOf(spec, row.firing + 1, row.dueAt, definition.deployedAt);
      if (due) {
        next = await rows.insert({
          definitionId: definition.id,
          elementId: row.elementId,
          firing: row.firing + 1,
          dueAt: due,
          state: 'scheduled',
        });
      }
      return true;
    });
    if (next) await this.schedule([{ ...(next as ProcessStartTimer), tenant: TenantContext.current() }]);
    if (answer) this.logger.log(`timer start ${definition.key}/${row.elementId} #${row.firing}: instance ${answer.id}`);
    return { started: answer?.id ?? null };
  }

  private async insertFiring(
    definition: ProcessDefinition,
    elementId: string,
    firing: number,
    dueAt: Date,
  ): Promise<ProcessStartTimer | null> {
    try {
      return await this.rows.insert({ definitionId: definition.id, elementId, firing, dueAt, state: 'scheduled' });
    } catch (error) {
      // A concurrent sync planned the same firing.
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505') return null;
      throw error;
    }
  }

  /** Idempotent by job id; the delay is scaled by PROCESS_CLOCK_FACTOR like the instance timers', the due times stay real. */
  private async schedule(rows: { id: string; dueAt: Date; tenant: { tenantId: string; slug: string } }[]): Promise<void> {
    const queue = this.queues.get(QUEUE_NAMES.processTimers);
    for (const row of rows) {
      const delay = Math.max(0, Math.round((row.dueAt.getTime() - Date.now()) / this.config.PROCESS_CLOCK_FACTOR));
      const data: StartTimerJobData = { tenant: { tenantId: row.tenant.tenantId, slug: row.tenant.slug }, startTimerId: row.id };
      await queue.add(FIRE_START_TIMER_JOB, data, { jobId: `start-${row.id}`, delay });
    }
  }
}

async function specsOf(definition: ProcessDefinition): Promise<StartTimerSpec[]> {
  const read = await readDeployedBpmn(definition.bpmn);
  return read.ok ? startTimersOf(read.definitions, definition.key) : [];
}
