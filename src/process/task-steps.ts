import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Principal } from '../access/principal.js';
import { ProblemException } from '../api/problem.js';
import { EngineRun, NotWaiting } from './engine-run.js';
import { InstanceSteps, statusOf, type AfterCommit, type InstanceAnswer } from './instance-steps.js';
import type { JsonObject } from './process-instance.entity.js';
import { ProcessHistory } from './process-history.js';
import { ProcessTimerRepository, TaskRepository } from './runtime-repositories.js';

/** Another module's writes that belong to a step: they run in its transaction, after the step is saved. */
export type StepEffects = (manager: EntityManager) => Promise<void>;

/** The steps people and the clock take: a user task completed, a timer come due. */
@Injectable()
export class TaskSteps {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tasks: TaskRepository,
    private readonly timerRows: ProcessTimerRepository,
    private readonly history: ProcessHistory,
    private readonly steps: InstanceSteps,
  ) {}

  /**
   * Completes a claimed task: under the instance's row lock, a new engine recovers the saved state,
   * the task's execution is signalled with the submitted data, and the next stable point is saved
   * with the tasks it opens. The caller has checked that the principal may act on the task. `effects`
   * runs in the same transaction once the step is saved (a task form's write to its record): should it
   * throw, the step rolls back with it and the task stays claimed.
   */
  async complete(taskId: string, data: JsonObject, principal: Principal, effects?: StepEffects): Promise<InstanceAnswer> {
    const { answer, toSchedule } = await this.steps.retried(() => this.completeOnce(taskId, data, principal, effects));
    await this.steps.afterCommit(toSchedule);
    return answer;
  }

  /**
   * Fires a due timer (the process-timers job): under the instance's row lock, unless the row is no
   * longer scheduled (its task completed first, or the job ran before: jobs are at least once), the
   * saved state gets that timer's expireAt set to now and a new engine resumes it, so the engine fires
   * it itself and moves on. Returns false when there was nothing to do.
   */
  async fire(timerId: string): Promise<boolean> {
    const { answer, toSchedule } = await this.steps.retried(() => this.fireOnce(timerId));
    await this.steps.afterCommit(toSchedule);
    return answer;
  }

  private async completeOnce(
    taskId: string,
    data: JsonObject,
    principal: Principal,
    effects?: StepEffects,
  ): Promise<{ answer: InstanceAnswer; toSchedule: AfterCommit[] }> {
    return this.dataSource.transaction(async (manager) => {
      const tasks = this.tasks.within(manager);
      const completedAt = new Date();
      const task = await tasks.query('t').andWhere('t.id = :taskId', { taskId }).setLock('pessimistic_write').getOne();
      if (!task) throw new ProblemException(404, 'not-found');
      if (task.state !== 'claimed' || task.assignee !== principal.userId) throw new ProblemException(409, 'conflict');
      // One writer per instance: the row lock is held until this step is saved (design §3).
      const instance = await this.steps.lockInstance(manager, task.instanceId);
      if (!instance || instance.status !== 'waiting') throw new ProblemException(409, 'conflict');
      const definition = await this.steps.definitionOf(instance);
      const variables = { ...instance.variables, ...data };
      const engine = await EngineRun.create(definition.bpmn, () => variables, instance.state);
      const run = await this.steps
        .stepOrFailure(() => engine.complete(task.elementId, task.executionId, data))
        .catch((error: unknown) => {
          if (error instanceof NotWaiting) throw new ProblemException(409, 'conflict', error.message);
          throw error;
        });
      await this.history.append(manager, [
        {
          instanceId: instance.id,
          event: 'task-completed',
          taskId: task.id,
          elementId: task.elementId,
          elementName: task.name,
          actorId: principal.userId,
          at: completedAt,
        },
      ]);
      // Completed before the step is saved, so the step's clean-up does not take it for a task the engine dropped.
      await tasks.update({ id: task.id }, { state: 'completed', data, completedAt, completedBy: principal.userId });
      // A boundary timer of the completed task is gone from the engine: reconcile cancels its row, and its job no-ops.
      const toSchedule = await this.steps.saveStep(manager, instance, run, variables);
      await effects?.(manager);
      return { answer: { id: instance.id, status: run.ok ? statusOf(run.settled) : 'failed' }, toSchedule };
    });
  }

  private async fireOnce(timerId: string): Promise<{ answer: boolean; toSchedule: AfterCommit[] }> {
    return this.dataSource.transaction(async (manager) => {
      const timers = this.timerRows.within(manager);
      const found = await timers.findOne({ id: timerId });
      if (!found) return { answer: false, toSchedule: [] };
      // The same lock order as complete(): the instance row first, then what hangs off it.
      const instance = await this.steps.lockInstance(manager, found.instanceId);
      const timer = await timers.query('t').andWhere('t.id = :timerId', { timerId }).setLock('pessimistic_write').getOne();
      if (!instance || !timer || timer.state !== 'scheduled') return { answer: false, toSchedule: [] };
      if (instance.status !== 'waiting') {
        await timers.update({ id: timer.id }, { state: 'cancelled' });
        return { answer: false, toSchedule: [] };
      }
      const definition = await this.steps.definitionOf(instance);
      const expired = EngineRun.expireTimer(instance.state, timer.executionId, new Date());
      if (!expired.found) {
        // The saved state no longer knows this timer: it cannot fire any more.
        await timers.update({ id: timer.id }, { state: 'cancelled' });
        return { answer: false, toSchedule: [] };
      }
      const variables = instance.variables;
      const engine = await EngineRun.create(definition.bpmn, () => variables, expired.state);
      const run = await this.steps.stepOrFailure(() => engine.resume());
      const toSchedule = await this.steps.saveStep(manager, instance, run, instance.variables, timer.id);
      await timers.update({ id: timer.id }, { state: 'fired', firedAt: new Date() });
      return { answer: true, toSchedule };
    });
  }
}
