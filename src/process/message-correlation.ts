import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../access/principal.js';
import { ProblemException } from '../api/problem.js';
import { ActivityLog } from '../audit/activity-log.js';
import { TenantContext } from '../db/tenant-context.js';
import { EventStarts } from './event-starts.js';
import { InstanceSteps, type AfterCommit } from './instance-steps.js';
import type { JsonObject } from './process-instance.entity.js';
import type { HistoryLine } from './process-history.js';
import { CorrelatedMessageRepository, ProcessInstanceRepository } from './runtime-repositories.js';

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

/** Delivers BPMN messages (the API, the PEC intake) to the instances waiting on them, or starts the processes listening. */
@Injectable()
export class MessageCorrelation {
  constructor(
    private readonly dataSource: DataSource,
    private readonly instances: ProcessInstanceRepository,
    private readonly correlatedMessages: CorrelatedMessageRepository,
    private readonly eventStarts: EventStarts,
    private readonly steps: InstanceSteps,
    private readonly activity: ActivityLog,
  ) {}

  /**
   * Delivers a message to every instance of the tenant with that business key that waits on a catch
   * for it (PEC receipts may address several); if none waits, starts one instance of each deployed
   * definition whose start event listens to it. 404 `no-waiting-instance` when it reaches nobody.
   */
  async correlate(message: MessageToCorrelate, principal: Principal): Promise<CorrelationAnswer> {
    const { answer, toSchedule } = await this.steps.retried(() => this.correlateOnce(message, principal));
    await this.steps.afterCommit(toSchedule);
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
  ): Promise<{ answer: CorrelationAnswer; toSchedule: AfterCommit[] }> {
    return this.dataSource.transaction(async (manager) => {
      const delivered = correlatedLine(message, principal);
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
      const toSchedule: AfterCommit[] = [];
      for (const instance of waiting) {
        const saved = await this.steps.deliver(manager, instance, message.variables, delivered, (engine) =>
          engine.signalMessage(message.messageName),
        );
        if (!saved) continue;
        toSchedule.push(...saved);
        correlated.push(instance.id);
      }
      if (correlated.length === 0) {
        const event = { kind: 'message', name: message.messageName } as const;
        for (const definition of await this.eventStarts.listening(event)) {
          const saved = await this.eventStarts.start(
            manager,
            definition,
            event,
            message.businessKey,
            message.variables,
            principal,
            delivered,
          );
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
}

/** The history line of a message delivered by `principal` (the API caller, or the PEC intake's service account). */
function correlatedLine(message: MessageToCorrelate, principal: Principal): Omit<HistoryLine, 'instanceId'> {
  return {
    event: 'message-correlated',
    actorId: principal.userId,
    at: new Date(),
    details: { messageName: message.messageName, businessKey: message.businessKey, messageId: message.messageId ?? null },
  };
}
