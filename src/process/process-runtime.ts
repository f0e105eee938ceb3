import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Principal } from '../access/principal.js';
import { ProblemException } from '../api/problem.js';
import { ActivityLog } from '../audit/activity-log.js';
import { TenantContext } from '../db/tenant-context.js';
import { EngineRun, InstanceFailure, NotWaiting, type SettledRun } from './engine-run.js';
import { startMessageId } from './message-rules.js';
import { readBpmn } from './bpmn-reader.js';
import type { ProcessDefinition } from './process-definition.entity.js';
import type { InstanceStatus, JsonObject, ProcessInstance } from './process-instance.entity.js';
import { ProcessDefinitionRepository } from './process-definition.repository.js';
import { ProcessTimers, type TimerToSchedule } from './process-timers.js';
import { CorrelatedMessageRepository, ProcessInstanceRepository, ProcessTimerRepository, TaskRepository } from './runtime-repositories.js';
import { TaskRows } from './task-rows.js';

export interface InstanceAnswer {
  id: string;
  status: InstanceStatus;
}

/** A message for the instances waiting on it under a business key; `messageId` (e.g. a PEC Message-ID) makes redelivery a no-op. */
export interface MessageToCorrelate {
  messageName: string;
  businessKey: string;
  variables: JsonObject;
  messageId?: string;
}

export interface CorrelationAnswer {
  correlated: string[];
  started: string[];
  duplicate: boolean;
}

type StepResult = { ok: true; settled: SettledRun } | { ok: false; reason: string };

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
    private readonly timers: ProcessTimers,
    private readonly timerRows: ProcessTimerRepository,
    private readonly correlatedMessages: CorrelatedMessageRepository,
  ) {}

  /** Runs the latest version of the process until it waits or ends. */
  async start(definitionKey: string, businessKey: string | null, variables: JsonObject, principal: Principal): Promise<InstanceAnswer> {
    const [definition] = await this.definitions.find({ key: definitionKey }, { order: { version: 'DESC' }, take: 1 });
    if (!definition) {
      throw new ProblemException(422, 'validation', undefined, { errors: [{ field: 'definitionKey', message: 'unknown process' }] });
    }
    const run = await this.stepOrFailure(async () => (await EngineRun.create(definition.bpmn, () => variables)).start());
    const { instance, toSchedule } = await this.dataSource.transaction((manager) =>
      this.insertStarted(manager, definition, businessKey, variables, principal, run),
    );
    await this.timers.schedule(toSchedule);
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
    const { answer, toSchedule } = await this.retried(() => this.completeOnce(taskId, data, principal));
    await this.timers.schedule(toSchedule);
    return answer;
  }

  /**
   * Fires a due timer (the process-timers job): under the instance's row lock, unless the row is no
   * longer scheduled (its task completed first, or the job ran before: jobs are at least once), the
   * saved state gets that timer's expireAt set to now and a new engine resumes it, so the engine fires
   * it itself and moves on. Returns false when there was nothing to do.
   */
  async fire(timerId: string): Promise<boolean> {
    const { answer, toSchedule } = await this.retried(() => this.fireOnce(timerId));
    await this.timers.schedule(toSchedule);
    return answer;
  }

  /**
   * Delivers a message to every instance of the tenant with that business key that waits on a catch
   * for it (PEC receipts may address several); if none waits, starts one instance of each deployed
   * definition whose start event listens to it. 404 `no-waiting-instance` when it reaches nobody.
   */
  async correlate(message: MessageToCorrelate, principal: Principal): Promise<CorrelationAnswer> {
    const { answer, toSchedule } = await this.retried(() => this.correlateOnce(message, principal));
    await this.timers.schedule(toSchedule);
    if (answer.duplicate) return answer;
    for (const [id, started] of [...answer.correlated.map((i) => [i, false] as const), ...answer.started.map((i) => [i, true] as const)]) {
      await this.activity.record({
        action: 'process.message-correlated',
        actor: { id: principal.userId, email: principal.email },
        resource: { type: 'process-instance', id },
        details: { messageName: message.messageName, businessKey: message.businessKey, messageId: message.messageId ?? null, started },
      });
    }
    return answer;
  }

  private async correlateOnce(
    message: MessageToCorrelate,
    principal: Principal,
  ): Promise<{ answer: CorrelationAnswer; toSchedule: TimerToSchedule[] }> {
    return this.dataSource.transaction(async (manager) => {
      const remembered = this.correlatedMessages.within(manager);
      if (message.messageId !== undefined) {
        // Two deliveries of the same message wait for each other here, so the second sees the first's rows.
        await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [
          `process-message:${TenantContext.current().tenantId}:${message.messageId}`,
        ]);
        const seen = await remembered.find({ messageId: message.messageId });
        if (seen.length > 0) {
          return { answer: { correlated: seen.map((row) => row.instanceId).sort(), started: [], duplicate: true }, toSchedule: [] };
        }
      }
      const waiting = await this.instances
        .within(manager)
        .query('i')
        .andWhere('i.business_key = :businessKey', { businessKey: message.businessKey })
        .andWhere(`i.status = 'waiting'`)
        .andWhere('i.waiting_messages @> ARRAY[:name]::text[]', { name: message.messageName })
        // A fixed lock order: two correlations addressing the same instances cannot deadlock.
        .orderBy('i.id')
        .setLock('pessimistic_write')
        .getMany();
      const correlated: string[] = [];
      const started: string[] = [];
      const toSchedule: TimerToSchedule[] = [];
      for (const instance of waiting) {
        const definition = await this.definitions.findOne({ id: instance.definitionId });
        if (!definition) throw new Error(`process instance ${instance.id}: definition ${instance.definitionId} is missing`);
        const variables = { ...instance.variables, ...message.variables };
        const engine = await EngineRun.create(definition.bpmn, () => variables, instance.state);
        const run = await this.stepOrFailure(() => engine.signalMessage(message.messageName)).catch((error: unknown) => {
          // waiting_messages said yes, the saved state says no: leave that instance as it is.
          if (error instanceof NotWaiting) return null;
          throw error;
        });
        if (!run) continue;
        toSchedule.push(...(await this.saveStep(manager, instance, run, variables)));
        correlated.push(instance.id);
      }
      if (correlated.length === 0) {
        for (const definition of await this.messageStartDefinitions(message.messageName)) {
          const run = await this.stepOrFailure(async () => {
            const read = await readBpmn(definition.bpmn);
            const messageId = read.ok ? startMessageId(read.definitions, message.messageName) : null;
            if (!messageId) throw new InstanceFailure(`${definition.key} has no start event for message ${message.messageName}`);
            return (await EngineRun.create(definition.bpmn, () => message.variables)).startOnMessage(messageId);
          });
          const saved = await this.insertStarted(manager, definition, message.businessKey, message.variables, principal, run);
          toSchedule.push(...saved.toSchedule);
          started.push(saved.instance.id);
        }
      }
      if (correlated.length + started.length === 0) throw new ProblemException(404, 'no-waiting-instance');
      if (message.messageId !== undefined) {
        for (const instanceId of [...correlated, ...started]) {
          await remembered.insert({ instanceId, messageId: message.messageId, messageName: message.messageName });
        }
      }
      return { answer: { correlated, started, duplicate: false }, toSchedule };
    });
  }

  /** The latest version of each deployed process whose start event listens to the message `name`. */
  private async messageStartDefinitions(name: string): Promise<ProcessDefinition[]> {
    // strpos is only a cheap filter before parsing: the name must also be a message of a start event.
    const candidates = await this.definitions
      .query('d')
      .andWhere('strpos(d.bpmn, :name) > 0', { name })
      .andWhere('d.version = (SELECT max(v.version) FROM process_definitions v WHERE v.tenant_id = d.tenant_id AND v.key = d.key)')
      .orderBy('d.key')
      .getMany();
    const listening: ProcessDefinition[] = [];
    for (const definition of candidates) {
      const read = await readBpmn(definition.bpmn);
      if (read.ok && startMessageId(read.definitions, name)) listening.push(definition);
    }
    return listening;
  }

  private async retried<T>(step: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await step();
      } catch (error) {
        if (!(error instanceof VersionConflict) || attempt >= SAVE_ATTEMPTS) throw error;
      }
    }
  }

  private async fireOnce(timerId: string): Promise<{ answer: boolean; toSchedule: TimerToSchedule[] }> {
    return this.dataSource.transaction(async (manager) => {
      const instances = this.instances.within(manager);
      const timers = this.timerRows.within(manager);
      const found = await timers.findOne({ id: timerId });
      if (!found) return { answer: false, toSchedule: [] };
      // The same lock order as complete(): the instance row first, then what hangs off it.
      const instance = await instances.query('i').andWhere('i.id = :id', { id: found.instanceId }).setLock('pessimistic_write').getOne();
      const timer = await timers.query('t').andWhere('t.id = :timerId', { timerId }).setLock('pessimistic_write').getOne();
      if (!instance || !timer || timer.state !== 'scheduled') return { answer: false, toSchedule: [] };
      if (instance.status !== 'waiting') {
        await timers.update({ id: timer.id }, { state: 'cancelled' });
        return { answer: false, toSchedule: [] };
      }
      const definition = await this.definitions.findOne({ id: instance.definitionId });
      if (!definition) throw new Error(`process instance ${instance.id}: definition ${instance.definitionId} is missing`);
      const expired = EngineRun.expireTimer(instance.state, timer.executionId, new Date());
      if (!expired.found) {
        // The saved state no longer knows this timer: it cannot fire any more.
        await timers.update({ id: timer.id }, { state: 'cancelled' });
        return { answer: false, toSchedule: [] };
      }
      const variables = instance.variables;
      const engine = await EngineRun.create(definition.bpmn, () => variables, expired.state);
      const run = await this.stepOrFailure(() => engine.resume());
      const toSchedule = await this.saveStep(manager, instance, run, instance.variables, timer.id);
      await timers.update({ id: timer.id }, { state: 'fired', firedAt: new Date() });
      return { answer: true, toSchedule };
    });
  }

  /**
   * The one save path of a step on an existing instance (task completed, timer fired, message
   * correlated): the row, conditional on the version read under the lock, then what hangs off it.
   */
  private async saveStep(
    manager: EntityManager,
    instance: ProcessInstance,
    run: StepResult,
    variables: JsonObject,
    firedTimerId?: string,
  ): Promise<TimerToSchedule[]> {
    const saved = await this.instances
      .within(manager)
      .update(
        { id: instance.id, version: instance.version },
        { ...this.columnsAfter(run, instance), variables, version: instance.version + 1, updatedAt: new Date() },
      );
    if (saved === 0) throw new VersionConflict();
    return run.ok ? this.afterStep(manager, instance.id, run.settled, firedTimerId) : [];
  }

  /** The save path of a new instance (started by hand or by a message start event). */
  private async insertStarted(
    manager: EntityManager,
    definition: ProcessDefinition,
    businessKey: string | null,
    variables: JsonObject,
    principal: Principal,
    run: StepResult,
  ): Promise<{ instance: ProcessInstance; toSchedule: TimerToSchedule[] }> {
    const instance = await this.instances.within(manager).insert({
      definitionId: definition.id,
      businessKey,
      variables,
      version: 1,
      startedBy: principal.userId,
      ...this.columnsAfter(run),
    });
    return { instance, toSchedule: run.ok ? await this.afterStep(manager, instance.id, run.settled) : [] };
  }

  /**
   * What a settled step changes besides the instance row: task rows for new user tasks, `cancelled`
   * for open tasks the engine no longer waits on (an interrupting boundary timer took them away), and
   * the timer rows. Returns the timers to schedule once the transaction has committed.
   */
  private async afterStep(
    manager: EntityManager,
    instanceId: string,
    settled: SettledRun,
    firedTimerId?: string,
  ): Promise<TimerToSchedule[]> {
    const tasks = this.tasks.within(manager);
    await this.taskRows.createMissing(manager, tasks, instanceId, settled.userTasks);
    const waiting = new Set(settled.userTasks.map((task) => task.executionId));
    for (const row of await tasks.find({ instanceId })) {
      if ((row.state === 'open' || row.state === 'claimed') && !waiting.has(row.executionId)) {
        await tasks.update({ id: row.id }, { state: 'cancelled' });
      }
    }
    return this.timers.reconcile(manager, instanceId, settled.timers, firedTimerId);
  }

  private async completeOnce(
    taskId: string,
    data: JsonObject,
    principal: Principal,
  ): Promise<{ answer: InstanceAnswer; toSchedule: TimerToSchedule[] }> {
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
      // A boundary timer of the completed task is gone from the engine: reconcile cancels its row, and its job no-ops.
      const toSchedule = await this.saveStep(manager, instance, run, variables);
      await tasks.update({ id: task.id }, { state: 'completed', data, completedAt: new Date(), completedBy: principal.userId });
      return { answer: { id: instance.id, status: run.ok ? statusOf(run.settled) : 'failed' }, toSchedule };
    });
  }

  /** A step that reaches what this version cannot run fails the instance with the reason, instead of the request. */
  private async stepOrFailure(step: () => Promise<SettledRun>): Promise<StepResult> {
    try {
      return { ok: true, settled: await step() };
    } catch (error) {
      if (!(error instanceof InstanceFailure)) throw error;
      this.logger.warn(`process instance step failed: ${error.message}`);
      return { ok: false, reason: error.message };
    }
  }

  private columnsAfter(
    run: StepResult,
    before?: ProcessInstance,
  ): Pick<ProcessInstance, 'status' | 'state' | 'activeElements' | 'waitingMessages' | 'failure' | 'endedAt'> {
    if (!run.ok) {
      // The state before the failed step stays: it shows where the instance was, and could be retried from there.
      return {
        status: 'failed',
        state: before?.state ?? {},
        activeElements: before?.activeElements ?? [],
        // A failed instance waits on nothing: a message for it finds no one rather than a dead end.
        waitingMessages: [],
        failure: run.reason,
        endedAt: new Date(),
      };
    }
    const status = statusOf(run.settled);
    return {
      status,
      state: run.settled.state,
      activeElements: run.settled.activeElements,
      waitingMessages: run.settled.waitingMessages,
      failure: null,
      endedAt: status === 'completed' ? new Date() : null,
    };
  }
}

function statusOf(settled: SettledRun): InstanceStatus {
  return settled.outcome === 'completed' ? 'completed' : 'waiting';
}
