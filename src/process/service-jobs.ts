import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import { TenantContext } from '../db/tenant-context.js';
import { TenantScopedRepository } from '../db/tenant-scoped.repository.js';
import { JobQueues } from '../queue/job-queues.js';
import type { TenantJobData } from '../queue/job-worker.js';
import { QUEUE_NAMES } from '../queue/queue-names.js';
import type { WaitingServiceTask } from './engine-run.js';
import { ProcessIncident } from './process-incident.entity.js';
import { ServiceJob } from './service-job.entity.js';

export const RUN_SERVICE_TASK_JOB = 'run-service-task';

export interface ServiceTaskJobData extends TenantJobData {
  serviceJobId: string;
}

/** A service job row to hand to the queue once the step that recorded it has committed. */
export interface ServiceJobToRun {
  serviceJobId: string;
  round: number;
  tenant: { tenantId: string; slug: string };
}

@Injectable()
export class ServiceJobRepository extends TenantScopedRepository<ServiceJob> {
  constructor(dataSource: DataSource) {
    super(dataSource, ServiceJob);
  }
}

@Injectable()
export class ProcessIncidentRepository extends TenantScopedRepository<ProcessIncident> {
  constructor(dataSource: DataSource) {
    super(dataSource, ProcessIncident);
  }
}

interface PendingRow {
  id: string;
  round: number;
  tenant_id: string;
  slug: string;
}

/**
 * Durable service tasks, the same pattern as timers (process-timers.ts): after each step the service
 * tasks the engine waits on are reconciled with the instance's rows, and each pending row has a
 * queue job whose id is the row's id and round, so adding it again changes nothing and a lost
 * Redis loses nothing (rederive at worker start).
 */
@Injectable()
export class ServiceJobs {
  private readonly logger = new Logger(ServiceJobs.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: ServiceJobRepository,
    private readonly incidents: ProcessIncidentRepository,
    private readonly queues: JobQueues,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Inside the step's transaction: a pending row for each waiting service task that has none, and
   * `cancelled` for rows (and their open incidents) whose task the engine no longer waits on — an
   * interrupting boundary event took it away. The row of a task completed by this very step is
   * cancelled here too, and marked completed by the caller right after (same transaction).
   * `newInstance`: the instance was inserted in this transaction, so it has no rows to read yet.
   */
  async reconcile(
    manager: EntityManager,
    instanceId: string,
    waiting: WaitingServiceTask[],
    newInstance = false,
  ): Promise<ServiceJobToRun[]> {
    const repository = this.jobs.within(manager);
    const rows = newInstance ? [] : await repository.find({ instanceId });
    const known = new Set(rows.map((row) => row.executionId));
    const waitingIds = new Set(waiting.map((task) => task.executionId));
    for (const row of rows) {
      if ((row.state === 'pending' || row.state === 'incident') && !waitingIds.has(row.executionId)) {
        await repository.update({ id: row.id }, { state: 'cancelled', updatedAt: new Date() });
        await this.incidents
          .within(manager)
          .update({ serviceJobId: row.id, state: 'open' }, { state: 'cancelled', resolvedAt: new Date() });
      }
    }
    const scope = TenantContext.current();
    const toRun: ServiceJobToRun[] = [];
    for (const task of waiting.filter((task) => !known.has(task.executionId))) {
      const saved = await repository.insert({
        instanceId,
        elementId: task.elementId,
        executionId: task.executionId,
        topic: task.topic,
        input: task.input,
        outputs: task.outputs,
        state: 'pending',
        attempts: 0,
        round: 0,
        lastError: null,
      });
      toRun.push({ serviceJobId: saved.id, round: 0, tenant: { tenantId: scope.tenantId, slug: scope.slug } });
    }
    return toRun;
  }

  /** Adds the queue jobs; idempotent by job id. A crash before this is repaired by rederive() at worker start. */
  async enqueue(jobs: ServiceJobToRun[]): Promise<void> {
    const queue = this.queues.get(QUEUE_NAMES.processServiceTasks);
    for (const job of jobs) {
      const data: ServiceTaskJobData = { tenant: job.tenant, serviceJobId: job.serviceJobId };
      await queue.add(RUN_SERVICE_TASK_JOB, data, {
        jobId: `${job.serviceJobId}-${job.round}`,
        attempts: this.config.SERVICE_TASK_ATTEMPTS,
        backoff: { type: 'exponential', delay: this.config.SERVICE_TASK_BACKOFF_MS },
        removeOnComplete: 1_000,
        removeOnFail: 1_000,
      });
    }
  }

  /** At worker start: a queue job for every pending row of every tenant (reads the table directly, like timers). */
  async rederive(): Promise<number> {
    const rows = await this.dataSource.query<PendingRow[]>(
      `SELECT j.id, j.round, j.tenant_id, n.slug FROM process_service_jobs j JOIN tenants n ON n.id = j.tenant_id WHERE j.state = 'pending'`,
    );
    await this.enqueue(
      rows.map((row) => ({ serviceJobId: row.id, round: row.round, tenant: { tenantId: row.tenant_id, slug: row.slug } })),
    );
    if (rows.length > 0) this.logger.log(`re-derived ${rows.length} service task jobs`);
    return rows.length;
  }

  /**
   * A failed attempt: counted on the row; the last one (or a BPMN error nobody catches) turns the
   * row into an incident, unless it is no longer pending (another attempt settled it meanwhile).
   * Returns whether an incident was opened.
   */
  async recordFailure(jobId: string, error: string, incident: { errorCode: string | null } | null): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const jobs = this.jobs.within(manager);
      const job = await jobs.query('j').andWhere('j.id = :jobId', { jobId }).setLock('pessimistic_write').getOne();
      if (!job || job.state !== 'pending') return false;
      const attempts = job.attempts + 1;
      await jobs.update({ id: job.id }, { attempts, lastError: error, updatedAt: new Date(), ...(incident ? { state: 'incident' } : {}) });
      if (!incident) return false;
      await this.incidents.within(manager).insert({
        instanceId: job.instanceId,
        serviceJobId: job.id,
        elementId: job.elementId,
        topic: job.topic,
        error,
        errorCode: incident.errorCode,
        attempts,
        state: 'open',
        resolvedAt: null,
        resolvedBy: null,
      });
      return true;
    });
  }

  /** Marks a row that has nothing left to do (its instance ended or moved on without it). */
  async cancel(jobId: string): Promise<void> {
    await this.jobs.update({ id: jobId, state: 'pending' }, { state: 'cancelled', updatedAt: new Date() });
  }
}
