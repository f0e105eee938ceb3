import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../access/principal.js';
import { ProblemException } from '../api/problem.js';
import { ActivityLog } from '../audit/activity-log.js';
import { EngineRun, InstanceFailure, NotWaiting, type SettledRun } from './engine-run.js';
import type { InstanceStatus, JsonObject, ProcessInstance } from './process-instance.entity.js';
import { ProcessDefinitionRepository } from './process-definition.repository.js';
import { ProcessInstanceRepository, TaskRepository } from './runtime-repositories.js';
import { TaskRows } from './task-rows.js';

export interface InstanceAnswer {
  id: string;
  status: InstanceStatus;
}

/** The row changed between our read and our write: read it again and redo the step. */
class VersionConflict extends Error {}

/** Under the row lock a lost race cannot happen; the retries guard a writer that skipped the lock. */
const SAVE_ATTEMPTS = 3;

/**
 * Starts process instances and moves them on when a user task is completed. Each call hydrates a
 * new engine from PostgreSQL, runs one step, saves, and drops the engine: any process of any replica
 * can take the next step, and a crash loses at most the step in hand (its transaction rolls back).
 */
@Injectable()
export class ProcessRuntime {
  private readonly logger = new Logger(ProcessRuntime.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly definitions: ProcessDefinitionRepository,
    private readonly instances: ProcessInstanceRepository,
    private readonly tasks: TaskRepository,
    private readonly taskRows: TaskRows,
    private readonly activity: ActivityLog,
  ) {}

  /** Runs the latest version of the process until it waits or ends. */
  async start(definitionKey: string, businessKey: string | null, variables: JsonObject, principal: Principal): Promise<InstanceAnswer> {
    const [definition] = await this.definitions.find({ key: definitionKey }, { order: { version: 'DESC' }, take: 1 });
    if (!definition) {
      throw new ProblemException(422, 'validation', undefined, { errors: [{ field: 'definitionKey', message: 'unknown process' }] });
    }
    const run = await this.stepOrFailure(async () => (await EngineRun.create(definition.bpmn, () => variables)).start());
    const instance = await this.dataSource.transaction(async (manager) => {
      const saved = await this.instances.within(manager).insert({
        definitionId: definition.id,
        businessKey,
        variables,
        version: 1,
        startedBy: principal.userId,
        ...this.columnsAfter(run),
      });
      if (run.ok) await this.taskRows.createMissing(this.tasks.within(manager), saved.id, run.settled.userTasks);
      return saved;
    });
    await this.activity.record({
      action: 'process.started',
      actor: { id: principal.userId, email: principal.email },
      resource: { type: 'process-instance', id: instance.id },
      details: { key: definition.key, version: definition.version, businessKey, status: instance.status },
    });
    return { id: instance.id, status: instance.status };
  }

  /**
   * Completes a claimed task: under the instance's row lock, a new engine recovers the saved state,
   * the task's execution is signalled with the submitted data, and the next stable point is saved
   * with the tasks it opens. The caller has checked that the principal may act on the task.
   */
  async complete(taskId: string, data: JsonObject, principal: Principal): Promise<InstanceAnswer> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.completeOnce(taskId, data, principal);
      } catch (error) {
        if (!(error instanceof VersionConflict) || attempt >= SAVE_ATTEMPTS) throw error;
      }
    }
  }

  private async completeOnce(taskId: string, data: JsonObject, principal: Principal): Promise<InstanceAnswer> {
    return this.dataSource.transaction(async (manager) => {
      const instances = this.instances.within(manager);
      const tasks = this.tasks.within(manager);
      const task = await tasks.query('t').andWhere('t.id = :taskId', { taskId }).setLock('pessimistic_write').getOne();
      if (!task) throw new ProblemException(404, 'not-found');
      if (task.state !== 'claimed' || task.assignee !== principal.userId) throw new ProblemException(409, 'conflict');
      // One writer per instance: the row lock is held until this step is saved (design §3).
      const instance = await instances.query('i').andWhere('i.id = :id', { id: task.instanceId }).setLock('pessimistic_write').getOne();
      if (!instance || instance.status !== 'waiting') throw new ProblemException(409, 'conflict');
      const definition = await this.definitions.findOne({ id: instance.definitionId });
      if (!definition) throw new Error(`process instance ${instance.id}: definition ${instance.definitionId} is missing`);
      const variables = { ...instance.variables, ...data };
      const engine = await EngineRun.create(definition.bpmn, () => variables, instance.state);
      const run = await this.stepOrFailure(() => engine.complete(task.elementId, task.executionId, data)).catch((error: unknown) => {
        if (error instanceof NotWaiting) throw new ProblemException(409, 'conflict', error.message);
        throw error;
      });
      const saved = await instances.update(
        { id: instance.id, version: instance.version },
        { ...this.columnsAfter(run, instance), variables, version: instance.version + 1, updatedAt: new Date() },
      );
      if (saved === 0) throw new VersionConflict();
      if (run.ok) await this.taskRows.createMissing(tasks, instance.id, run.settled.userTasks);
      await tasks.update({ id: task.id }, { state: 'completed', data, completedAt: new Date(), completedBy: principal.userId });
      return { id: instance.id, status: run.ok ? statusOf(run.settled) : 'failed' };
    });
  }

  /** A step that reaches what this version cannot run fails the instance with the reason, instead of the request. */
  private async stepOrFailure(step: () => Promise<SettledRun>): Promise<{ ok: true; settled: SettledRun } | { ok: false; reason: string }> {
    try {
      return { ok: true, settled: await step() };
    } catch (error) {
      if (!(error instanceof InstanceFailure)) throw error;
      this.logger.warn(`process instance step failed: ${error.message}`);
      return { ok: false, reason: error.message };
    }
  }

  private columnsAfter(
    run: { ok: true; settled: SettledRun } | { ok: false; reason: string },
    before?: ProcessInstance,
  ): Pick<ProcessInstance, 'status' | 'state' | 'activeElements' | 'failure' | 'endedAt'> {
    if (!run.ok) {
      // The state before the failed step stays: it shows where the instance was, and could be retried from there.
      return {
        status: 'failed',
        state: before?.state ?? {},
        activeElements: before?.activeElements ?? [],
        failure: run.reason,
        endedAt: new Date(),
      };
    }
    const status = statusOf(run.settled);
    return {
      status,
      state: run.settled.state,
      activeElements: run.settled.activeElements,
      failure: null,
      endedAt: status === 'completed' ? new Date() : null,
    };
  }
}

function statusOf(settled: SettledRun): InstanceStatus {
  return settled.outcome === 'completed' ? 'completed' : 'waiting';
}
