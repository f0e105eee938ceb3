import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Principal } from '../access/principal.js';
import { ProblemException } from '../api/problem.js';
import { ActivityLog } from '../audit/activity-log.js';
import { TenantContext } from '../db/tenant-context.js';
import { EngineRun } from './engine-run.js';
import { InstanceSteps, startedLine, type AfterCommit, type InstanceAnswer, type StepResult } from './instance-steps.js';
import type { HistoryLine } from './process-history.js';
import type { ProcessDefinition } from './process-definition.entity.js';
import type { JsonObject } from './process-instance.entity.js';
import { ProcessDefinitionRepository } from './process-definition.repository.js';
import { ProcessInstanceRepository } from './runtime-repositories.js';
import { StartSnapshots } from './start-snapshots.js';

/** A start timer's firing was used by another delivery of its job: roll this instance back. */
class FiringTaken extends Error {}

/**
 * Starts process instances: by hand (API, pages, record actions, a calling process) and from timer
 * start events. Message and signal start events start theirs where the message or signal is
 * delivered (message-correlation.ts, signal-broadcast.ts); the steps after the first are taken by
 * task-steps.ts and service-task-steps.ts. All of them save through InstanceSteps.
 */
@Injectable()
export class ProcessRuntime {
  constructor(
    private readonly dataSource: DataSource,
    private readonly definitions: ProcessDefinitionRepository,
    private readonly instances: ProcessInstanceRepository,
    private readonly steps: InstanceSteps,
    private readonly activity: ActivityLog,
    private readonly firstSteps: StartSnapshots,
  ) {}

  /**
   * Runs the latest version of the process until it waits or ends. `startKey` (a calling process's
   * idempotency key) makes the start happen once: a repeated call answers the instance it started.
   */
  async start(
    definitionKey: string,
    businessKey: string | null,
    variables: JsonObject,
    /** null: the platform itself starts it (the PEC intake), as a timer start does. */
    principal: Principal | null,
    options: { startKey?: string } = {},
  ): Promise<InstanceAnswer> {
    if (options.startKey !== undefined) {
      const known = await this.instances.findOne({ startKey: options.startKey });
      if (known) return { id: known.id, status: known.status };
    }
    const [definition] = await this.definitions.find({ key: definitionKey }, { order: { version: 'DESC' }, take: 1 });
    if (!definition) {
      throw new ProblemException(422, 'validation', undefined, { errors: [{ field: 'definitionKey', message: 'unknown process' }] });
    }
    const started = startedLine(definition, principal);
    const run = await this.steps.stepOrFailure(() => this.firstSteps.start(definition, variables));
    // A start without a startKey whose step writes one statement needs no transaction: one round trip.
    const saved =
      options.startKey === undefined && InstanceSteps.savedAlone(run)
        ? {
            ...(await this.steps.insertStarted(this.dataSource.manager, definition, businessKey, variables, principal, run, [started])),
            repeated: false,
          }
        : await this.startInTransaction(definition, businessKey, variables, principal, run, started, options.startKey);
    const { instance, toSchedule } = saved;
    if (saved.repeated) return { id: instance.id, status: instance.status };
    await this.steps.afterCommit(toSchedule);
    await this.activity.record({
      action: 'process.started',
      actor: principal ? { id: principal.userId, email: principal.email } : 'system',
      resource: { type: 'process-instance', id: instance.id },
      details: { key: definition.key, version: definition.version, businessKey, status: instance.status },
    });
    return { id: instance.id, status: instance.status };
  }

  private startInTransaction(
    definition: ProcessDefinition,
    businessKey: string | null,
    variables: JsonObject,
    principal: Principal | null,
    run: StepResult,
    started: Omit<HistoryLine, 'instanceId'>,
    startKey: string | undefined,
  ): Promise<{ instance: InstanceAnswer; toSchedule: AfterCommit[]; repeated: boolean }> {
    return this.dataSource.transaction(async (manager) => {
      if (startKey !== undefined) {
        // Two attempts of one call wait for each other here; the later one finds the first's instance.
        await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [
          `process-start:${TenantContext.current().tenantId}:${startKey}`,
        ]);
        const known = await this.instances.within(manager).findOne({ startKey });
        if (known) return { instance: known, toSchedule: [], repeated: true };
      }
      const inserted = await this.steps.insertStarted(manager, definition, businessKey, variables, principal, run, [started]);
      if (startKey !== undefined) await this.instances.within(manager).update({ id: inserted.instance.id }, { startKey });
      return { ...inserted, repeated: false };
    });
  }

  /**
   * Starts an instance of `definition` from its timer start event `elementId` (start-timers.ts).
   * `claim` runs in the transaction that inserts the instance and answers false when this firing was
   * taken already (a job delivered twice): the insert is rolled back, so one firing starts one instance.
   */
  async startOnTimer(
    definition: ProcessDefinition,
    elementId: string,
    claim: (manager: EntityManager, instanceId: string) => Promise<boolean>,
  ): Promise<InstanceAnswer | null> {
    const run = await this.steps.stepOrFailure(async () => (await EngineRun.create(definition.bpmn, () => ({}))).startOnTimer(elementId));
    const saved = await this.dataSource
      .transaction(async (manager) => {
        const inserted = await this.steps.insertStarted(manager, definition, null, {}, null, run, [startedLine(definition, null)]);
        if (!(await claim(manager, inserted.instance.id))) throw new FiringTaken();
        return inserted;
      })
      .catch((error: unknown) => {
        if (error instanceof FiringTaken) return null;
        throw error;
      });
    if (!saved) return null;
    await this.steps.afterCommit(saved.toSchedule);
    await this.activity.record({
      action: 'process.started',
      actor: 'system',
      resource: { type: 'process-instance', id: saved.instance.id },
      details: { key: definition.key, version: definition.version, timer: elementId, status: saved.instance.status },
    });
    return { id: saved.instance.id, status: saved.instance.status };
  }
}
