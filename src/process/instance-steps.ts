import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { insertTogether } from '../db/insert-together.js';
import type { Principal } from '../access/principal.js';
import { EngineRun, InstanceFailure, NotWaiting, type SettledRun } from './engine-run.js';
import type { ProcessDefinition } from './process-definition.entity.js';
import { ProcessDefinitionRepository } from './process-definition.repository.js';
import type { InstanceStatus, JsonObject, ProcessInstance } from './process-instance.entity.js';
import { linesOfStep, ProcessHistory, type HistoryLine } from './process-history.js';
import { ProcessTimers, type TimerToSchedule } from './process-timers.js';
import { ServiceJobs, type ServiceJobToRun } from './service-jobs.js';
import { ProcessInstanceRepository, TaskRepository } from './runtime-repositories.js';
import { TaskRows } from './task-rows.js';
import { ThrownSignals, type SignalToRelay } from './thrown-signals.js';
import { VariableLimit } from './variable-limit.js';

export interface InstanceAnswer {
  id: string;
  status: InstanceStatus;
}

/** How a step's engine run went: settled at its next stable point, or failed with a reason. */
export type StepResult = { ok: true; settled: SettledRun } | { ok: false; reason: string };

/** What a step hands to the queues once its transaction has committed: timer jobs, service task jobs, thrown signals. */
export type AfterCommit = TimerToSchedule | ServiceJobToRun | SignalToRelay;

/** The row changed between our read and our write: read it again and redo the step. */
class VersionConflict extends Error {}

/** Under the row lock a lost race cannot happen; the retries guard a writer that skipped the lock. */
const SAVE_ATTEMPTS = 3;

/**
 * The one path every step takes to be saved (design §3): an instance is hydrated into a new engine
 * from PostgreSQL, one step runs, and this saves its outcome with what hangs off the instance (tasks,
 * timers, service jobs, thrown signals, history) in the step's transaction, then hands the queues
 * their work once it has committed. Any process of any replica can take the next step, and a crash
 * loses at most the step in hand (its transaction rolls back).
 */
@Injectable()
export class InstanceSteps {
  private readonly logger = new Logger(InstanceSteps.name);

  constructor(
    private readonly definitions: ProcessDefinitionRepository,
    private readonly instances: ProcessInstanceRepository,
    private readonly tasks: TaskRepository,
    private readonly taskRows: TaskRows,
    private readonly timers: ProcessTimers,
    private readonly history: ProcessHistory,
    private readonly serviceJobs: ServiceJobs,
    private readonly variableLimit: VariableLimit,
    private readonly thrownSignals: ThrownSignals,
  ) {}

  /** The instance's row, locked until the step's transaction ends: one writer per instance (design §3). */
  lockInstance(manager: EntityManager, id: string): Promise<ProcessInstance | null> {
    return this.instances.within(manager).query('i').andWhere('i.id = :id', { id }).setLock('pessimistic_write').getOne();
  }

  /** The definition version the instance runs. */
  async definitionOf(instance: ProcessInstance): Promise<ProcessDefinition> {
    const definition = await this.definitions.findOne({ id: instance.definitionId });
    if (!definition) throw new Error(`process instance ${instance.id}: definition ${instance.definitionId} is missing`);
    return definition;
  }

  /** A step that reaches what this version cannot run fails the instance with the reason, instead of the request. */
  async stepOrFailure(step: () => Promise<SettledRun>): Promise<StepResult> {
    try {
      return { ok: true, settled: await step() };
    } catch (error) {
      if (!(error instanceof InstanceFailure)) throw error;
      this.logger.warn(`process instance step failed: ${error.message}`);
      return { ok: false, reason: error.message };
    }
  }

  /** Runs a step's transaction again when its save lost a race (saveStep's version check). */
  async retried<T>(step: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await step();
      } catch (error) {
        if (!(error instanceof VersionConflict) || attempt >= SAVE_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * The one save path of a step on an existing instance (task completed, timer fired, message
   * correlated): the row, conditional on the version read under the lock, then what hangs off it.
   */
  async saveStep(
    manager: EntityManager,
    instance: ProcessInstance,
    run: StepResult,
    variables: JsonObject,
    firedTimerId?: string,
  ): Promise<AfterCommit[]> {
    // Checked where every step saves, so a refusal rolls the whole step back (task, history, message).
    if (variables !== instance.variables) this.variableLimit.check(variables);
    const saved = await this.instances
      .within(manager)
      .update(
        { id: instance.id, version: instance.version },
        { ...columnsAfter(run, instance), variables, version: instance.version + 1, updatedAt: new Date() },
      );
    if (saved === 0) throw new VersionConflict();
    return run.ok ? this.afterStep(manager, instance.id, run.settled, firedTimerId) : this.failed(manager, instance.id, run.reason);
  }

  /**
   * Delivers a message or signal to an instance the caller has locked: a new engine recovers the
   * saved state with `delivered` merged into the variables, `take` hands it the event, and the step
   * is saved after the delivery's history line. Null when the saved state does not wait for it after
   * all (the instance's waiting_messages or waiting_signals said it did): that instance is left as it is.
   */
  async deliver(
    manager: EntityManager,
    instance: ProcessInstance,
    delivered: JsonObject,
    line: Omit<HistoryLine, 'instanceId'>,
    take: (engine: EngineRun) => Promise<SettledRun>,
  ): Promise<AfterCommit[] | null> {
    const definition = await this.definitionOf(instance);
    const variables = { ...instance.variables, ...delivered };
    const engine = await EngineRun.create(definition.bpmn, () => variables, instance.state);
    const run = await this.stepOrFailure(() => take(engine)).catch((error: unknown) => {
      if (error instanceof NotWaiting) return null;
      throw error;
    });
    if (!run) return null;
    await this.history.append(manager, [{ instanceId: instance.id, ...line }]);
    return this.saveStep(manager, instance, run, variables);
  }

  /**
   * Whether insertStarted saves this first step in one statement, atomic without a transaction: the
   * instance, its user tasks and its history, nothing else (timer, service job and thrown signal rows
   * are written after, and their keys handed to the queues).
   */
  static savedAlone(run: StepResult): boolean {
    if (!run.ok) return true;
    const { timers, serviceTasks, thrownSignals } = run.settled;
    return timers.length === 0 && serviceTasks.length === 0 && thrownSignals.length === 0;
  }

  /**
   * The save path of a new instance (started by hand, by a timer, a message or a signal start event); `cause` opens its history.
   * The instance, its user tasks and history lines go in one statement (insert-together.ts), their keys made here;
   * a new instance has no rows to read back or cancel, and its variables are the ones given.
   */
  async insertStarted(
    manager: EntityManager,
    definition: ProcessDefinition,
    businessKey: string | null,
    variables: JsonObject,
    principal: Principal | null,
    run: StepResult,
    cause: Omit<HistoryLine, 'instanceId'>[],
  ): Promise<{ instance: InstanceAnswer; toSchedule: AfterCommit[] }> {
    this.variableLimit.check(variables);
    const id = randomUUID();
    const columns = columnsAfter(run);
    const instance = this.instances.within(manager).insertion([
      {
        id,
        definitionId: definition.id,
        businessKey,
        variables,
        version: 1,
        // null: started by a timer start event, nobody's.
        startedBy: principal?.userId ?? null,
        ...columns,
      },
    ]);
    const opening = cause.map((line) => ({ ...line, instanceId: id }));
    if (!run.ok) {
      await insertTogether(manager, [instance, this.history.insertion([...opening, failedLine(id, run.reason)])]);
      return { instance: { id, status: columns.status }, toSchedule: [] };
    }
    const { settled } = run;
    const tasks = await this.taskRows.rowsFor(manager, id, settled.userTasks, () => Promise.resolve(variables));
    await insertTogether(manager, [
      instance,
      this.tasks.within(manager).insertion(tasks),
      this.history.insertion([...opening, ...linesOfStep(id, settled, tasks, [])]),
    ]);
    return { instance: { id, status: columns.status }, toSchedule: await this.rowsOfStep(manager, id, settled, undefined, true) };
  }

  /** Hands the committed step's timers and service task calls to their queues. */
  async afterCommit(work: AfterCommit[]): Promise<void> {
    await this.timers.schedule(work.filter((item): item is TimerToSchedule => 'dueAt' in item));
    await this.serviceJobs.enqueue(work.filter((item): item is ServiceJobToRun => 'serviceJobId' in item));
    await this.thrownSignals.enqueue(work.filter((item): item is SignalToRelay => 'thrownSignalId' in item));
  }

  /** A failed step saves nothing of its own run (the state before it stays): its history is the failure and why. */
  private async failed(manager: EntityManager, instanceId: string, reason: string): Promise<TimerToSchedule[]> {
    await this.history.append(manager, [failedLine(instanceId, reason)]);
    return [];
  }

  /**
   * What a settled step on an existing instance changes besides its row: task rows for new user tasks,
   * `cancelled` for open tasks the engine no longer waits on (an interrupting boundary timer took them
   * away), the history, and the rows of rowsOfStep. Returns what to hand the queues once the transaction has committed.
   */
  private async afterStep(manager: EntityManager, instanceId: string, settled: SettledRun, firedTimerId?: string): Promise<AfterCommit[]> {
    const tasks = this.tasks.within(manager);
    const created = await this.taskRows.createMissing(manager, tasks, instanceId, settled.userTasks);
    const waiting = new Set(settled.userTasks.map((task) => task.executionId));
    const cancelled = [];
    for (const row of await tasks.find({ instanceId })) {
      if ((row.state === 'open' || row.state === 'claimed') && !waiting.has(row.executionId)) {
        await tasks.update({ id: row.id }, { state: 'cancelled' });
        cancelled.push(row);
      }
    }
    await this.history.append(manager, linesOfStep(instanceId, settled, created, cancelled));
    return this.rowsOfStep(manager, instanceId, settled, firedTimerId, false);
  }

  /**
   * The timer rows, service jobs and thrown signals of a settled step, returned for the queues.
   * `newInstance`: the instance was inserted in this very step, so it has no such rows to read yet.
   */
  private async rowsOfStep(
    manager: EntityManager,
    instanceId: string,
    settled: SettledRun,
    firedTimerId: string | undefined,
    newInstance: boolean,
  ): Promise<AfterCommit[]> {
    return [
      ...(await this.timers.reconcile(manager, instanceId, settled.timers, firedTimerId, newInstance)),
      ...(await this.serviceJobs.reconcile(manager, instanceId, settled.serviceTasks, newInstance)),
      ...(await this.thrownSignals.record(manager, instanceId, settled.thrownSignals)),
    ];
  }
}

function failedLine(instanceId: string, reason: string): HistoryLine {
  return { instanceId, event: 'instance-failed', details: { reason } };
}

/**
 * The history line that opens a new instance, timed before the engine runs (the engine's own lines are
 * timed as they happen), so an instance's history reads in time order. No principal: a timer start event.
 */
export function startedLine(definition: ProcessDefinition, principal: Principal | null): Omit<HistoryLine, 'instanceId'> {
  return {
    event: 'instance-started',
    actorId: principal?.userId ?? null,
    at: new Date(),
    details: { key: definition.key, version: definition.version },
  };
}

export function statusOf(settled: SettledRun): InstanceStatus {
  return settled.outcome === 'completed' ? 'completed' : 'waiting';
}

function columnsAfter(
  run: StepResult,
  before?: ProcessInstance,
): Pick<ProcessInstance, 'status' | 'state' | 'activeElements' | 'waitingMessages' | 'waitingSignals' | 'failure' | 'endedAt'> {
  if (!run.ok) {
    // The state before the failed step stays: it shows where the instance was, and could be retried from there.
    return {
      status: 'failed',
      state: before?.state ?? {},
      activeElements: before?.activeElements ?? [],
      // A failed instance waits on nothing: a message for it finds no one rather than a dead end.
      waitingMessages: [],
      waitingSignals: [],
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
    waitingSignals: run.settled.waitingSignals,
    failure: null,
    endedAt: status === 'completed' ? new Date() : null,
  };
}
