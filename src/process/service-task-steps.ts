import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { EngineRun, InstanceFailure, NotWaiting } from './engine-run.js';
import { InstanceSteps, type AfterCommit } from './instance-steps.js';
import type { ProcessDefinition } from './process-definition.entity.js';
import type { JsonObject, ProcessInstance } from './process-instance.entity.js';
import type { ServiceJob } from './service-job.entity.js';
import { ServiceJobRepository } from './service-jobs.js';

/** How a BPMN error thrown by a plug went: a boundary event took it, nobody catches it (reason), or the task no longer waits. */
export type ThrownError = { outcome: 'caught' } | { outcome: 'uncaught'; reason: string } | { outcome: 'gone' };

/** The steps a service task's plug answer takes (the process-service-tasks job): its output, or its BPMN error. */
@Injectable()
export class ServiceTaskSteps {
  constructor(
    private readonly dataSource: DataSource,
    private readonly serviceJobRows: ServiceJobRepository,
    private readonly steps: InstanceSteps,
  ) {}

  /**
   * A service task's plug answered: under the instance's row lock, unless the service job is no
   * longer pending (an earlier attempt completed it, or the task went away), its output parameters
   * become variables and the task's execution is signalled. Returns false when there was nothing to do.
   */
  async completeServiceTask(serviceJobId: string, answer: JsonObject): Promise<boolean> {
    const result = await this.steps.retried(() =>
      this.serviceStepOnce(serviceJobId, async (manager, instance, job, definition) => {
        const variables = { ...instance.variables, ...EngineRun.outputVariables(job.outputs, instance.variables, answer) };
        const engine = await EngineRun.create(definition.bpmn, () => variables, instance.state);
        const run = await this.steps.stepOrFailure(() => engine.complete(job.elementId, job.executionId, {}));
        return { toSchedule: await this.steps.saveStep(manager, instance, run, variables), answer: true, completed: true };
      }),
    );
    await this.steps.afterCommit(result.toSchedule);
    return result.answer ?? false;
  }

  /**
   * A service task's plug answered a business error: the task fails with that BPMN error code and an
   * error boundary event takes over. When nothing catches it, nothing is saved: the caller makes it
   * an incident, and the instance keeps waiting on the task.
   */
  async throwServiceError(serviceJobId: string, code: string, message: string): Promise<ThrownError> {
    const result = await this.steps.retried(() =>
      this.serviceStepOnce<ThrownError>(serviceJobId, async (manager, instance, job, definition) => {
        const engine = await EngineRun.create(definition.bpmn, () => instance.variables, instance.state);
        const settled = await engine.throwError(job.elementId, job.executionId, code, message).catch((error: unknown) => {
          if (error instanceof InstanceFailure) return error;
          throw error;
        });
        if (settled instanceof InstanceFailure)
          return { toSchedule: [], answer: { outcome: 'uncaught', reason: settled.message }, completed: false };
        const toSchedule = await this.steps.saveStep(manager, instance, { ok: true, settled }, instance.variables);
        return { toSchedule, answer: { outcome: 'caught' }, completed: true };
      }),
    );
    await this.steps.afterCommit(result.toSchedule);
    return result.answer ?? { outcome: 'gone' };
  }

  /**
   * The frame of a step on behalf of a service job: the instance row lock, then the job's; no step
   * when the job is not pending or the instance not waiting (the job is cancelled); the job completed
   * with the step unless the step says it is not. `answer` undefined: nothing was done.
   */
  private async serviceStepOnce<T>(
    serviceJobId: string,
    step: (
      manager: EntityManager,
      instance: ProcessInstance,
      job: ServiceJob,
      definition: ProcessDefinition,
    ) => Promise<{ toSchedule: AfterCommit[]; answer: T; completed: boolean }>,
  ): Promise<{ toSchedule: AfterCommit[]; answer?: T }> {
    return this.dataSource.transaction(async (manager) => {
      const jobs = this.serviceJobRows.within(manager);
      const found = await jobs.findOne({ id: serviceJobId });
      if (!found) return { toSchedule: [] };
      // The same lock order as every step: the instance row first, then what hangs off it.
      const instance = await this.steps.lockInstance(manager, found.instanceId);
      const job = await jobs.query('j').andWhere('j.id = :serviceJobId', { serviceJobId }).setLock('pessimistic_write').getOne();
      if (!instance || !job || job.state !== 'pending') return { toSchedule: [] };
      if (instance.status !== 'waiting') {
        await jobs.update({ id: job.id }, { state: 'cancelled', updatedAt: new Date() });
        return { toSchedule: [] };
      }
      const definition = await this.steps.definitionOf(instance);
      try {
        const done = await step(manager, instance, job, definition);
        if (done.completed) await jobs.update({ id: job.id }, { state: 'completed', attempts: job.attempts + 1, updatedAt: new Date() });
        return { toSchedule: done.toSchedule, answer: done.answer };
      } catch (error) {
        if (!(error instanceof NotWaiting)) throw error;
        // The saved state no longer waits on this task: its call has nothing to complete.
        await jobs.update({ id: job.id }, { state: 'cancelled', updatedAt: new Date() });
        return { toSchedule: [] };
      }
    });
  }
}
