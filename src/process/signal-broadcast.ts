import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../access/principal.js';
import { ActivityLog } from '../audit/activity-log.js';
import { TenantContext } from '../db/tenant-context.js';
import { EventStarts } from './event-starts.js';
import { InstanceSteps, type AfterCommit } from './instance-steps.js';
import type { JsonObject } from './process-instance.entity.js';
import type { HistoryLine } from './process-history.js';
import { DeliveredSignalRepository, ProcessInstanceRepository } from './runtime-repositories.js';

/** A signal for every instance of the workspace that catches it; `signalId` makes a repeated delivery a no-op. */
export interface SignalToBroadcast {
  signalName: string;
  variables: JsonObject;
  signalId?: string;
  /** A relayed throw: the instance that threw it, which its engine already served. */
  exceptInstanceId?: string;
}

export interface BroadcastAnswer {
  reached: string[];
  started: string[];
  duplicate: boolean;
}

/** Broadcasts BPMN signals (the API, a throw relayed from another instance) to the workspace's instances. */
@Injectable()
export class SignalBroadcast {
  constructor(
    private readonly dataSource: DataSource,
    private readonly instances: ProcessInstanceRepository,
    private readonly deliveredSignals: DeliveredSignalRepository,
    private readonly eventStarts: EventStarts,
    private readonly steps: InstanceSteps,
    private readonly activity: ActivityLog,
  ) {}

  /**
   * Broadcasts a BPMN signal in the workspace: every waiting instance that catches it by name moves on
   * (its variables merged), and the latest version of each process with a signal start event of that
   * name starts. Reaching nobody is no error: a signal is thrown, not addressed. One transaction, so a
   * failure (e.g. variables over the limit) leaves every instance as it was.
   */
  async broadcast(signal: SignalToBroadcast, principal: Principal | null): Promise<BroadcastAnswer> {
    const { answer, toSchedule } = await this.steps.retried(() => this.broadcastOnce(signal, principal));
    await this.steps.afterCommit(toSchedule);
    if (answer.duplicate) return answer;
    for (const [id, started] of [...answer.reached.map((i) => [i, false] as const), ...answer.started.map((i) => [i, true] as const)]) {
      await this.activity.record({
        action: 'process.signal-received',
        actor: principal ? { id: principal.userId, email: principal.email } : 'system',
        resource: { type: 'process-instance', id },
        details: { signalName: signal.signalName, signalId: signal.signalId ?? null, started },
      });
    }
    return answer;
  }

  private async broadcastOnce(
    signal: SignalToBroadcast,
    principal: Principal | null,
  ): Promise<{ answer: BroadcastAnswer; toSchedule: AfterCommit[] }> {
    return this.dataSource.transaction(async (manager) => {
      const received: Omit<HistoryLine, 'instanceId'> = {
        event: 'signal-received',
        actorId: principal?.userId ?? null,
        at: new Date(),
        details: { signalName: signal.signalName, signalId: signal.signalId ?? null },
      };
      const remembered = this.deliveredSignals.within(manager);
      if (signal.signalId !== undefined) {
        // Two deliveries of the same signal wait for each other here, so the second finds the first's row.
        await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [
          `process-signal:${TenantContext.current().tenantId}:${signal.signalId}`,
        ]);
        const seen = await remembered.findOne({ signalId: signal.signalId });
        if (seen)
          return { answer: { reached: [...seen.reached].sort(), started: [...seen.started].sort(), duplicate: true }, toSchedule: [] };
      }
      const waiting = await this.instances
        .within(manager)
        .query('i')
        .andWhere(`i.status = 'waiting'`)
        .andWhere('i.waiting_signals @> ARRAY[:name]::text[]', { name: signal.signalName })
        // The thrower's own catches had the signal from its engine, in the step that threw it.
        .andWhere('i.id <> :except', { except: signal.exceptInstanceId ?? '00000000-0000-0000-0000-000000000000' })
        // The same lock order as message correlation: two broadcasts reaching the same instances cannot deadlock.
        .orderBy('i.id')
        .setLock('pessimistic_write')
        .getMany();
      const reached: string[] = [];
      const started: string[] = [];
      const toSchedule: AfterCommit[] = [];
      for (const instance of waiting) {
        const saved = await this.steps.deliver(manager, instance, signal.variables, received, (engine) =>
          engine.deliverSignal(signal.signalName),
        );
        if (!saved) continue;
        toSchedule.push(...saved);
        reached.push(instance.id);
      }
      const event = { kind: 'signal', name: signal.signalName } as const;
      for (const definition of await this.eventStarts.listening(event)) {
        const saved = await this.eventStarts.start(manager, definition, event, null, signal.variables, principal, received);
        toSchedule.push(...saved.toSchedule);
        started.push(saved.instance.id);
      }
      if (signal.signalId !== undefined) {
        await remembered.insert({ signalId: signal.signalId, signalName: signal.signalName, reached, started });
      }
      return { answer: { reached, started, duplicate: false }, toSchedule };
    });
  }
}
