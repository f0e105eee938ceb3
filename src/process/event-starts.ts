import { Injectable } from '@nestjs/common';
import type { ModdleElement } from 'bpmn-moddle';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../access/principal.js';
import { readDeployedBpmn } from './bpmn-reader.js';
import { EngineRun, InstanceFailure } from './engine-run.js';
import { InstanceSteps, startedLine, type AfterCommit, type InstanceAnswer } from './instance-steps.js';
import { startMessageId } from './message-rules.js';
import type { ProcessDefinition } from './process-definition.entity.js';
import { ProcessDefinitionRepository } from './process-definition.repository.js';
import type { JsonObject } from './process-instance.entity.js';
import type { HistoryLine } from './process-history.js';
import { startSignalId } from './signal-rules.js';

/** What a start event listens to: a bpmn:message or a bpmn:signal, by name. */
export interface StartEvent {
  kind: 'message' | 'signal';
  name: string;
}

/** The id of the definitions' top-level start event's message or signal named as `event` says, or null. */
function startEventId(definitions: ModdleElement, event: StartEvent): string | null {
  return event.kind === 'message' ? startMessageId(definitions, event.name) : startSignalId(definitions, event.name);
}

/** Starts the instances a delivered message or signal starts: those of the processes whose start event listens to it. */
@Injectable()
export class EventStarts {
  constructor(
    private readonly definitions: ProcessDefinitionRepository,
    private readonly steps: InstanceSteps,
  ) {}

  /** The latest version of each deployed process whose top-level start event listens to `event`. */
  async listening(event: StartEvent): Promise<ProcessDefinition[]> {
    // strpos is only a cheap filter before parsing: the name must also be that of a start event's message or signal.
    const candidates = await this.definitions
      .query('d')
      .andWhere('strpos(d.bpmn, :name) > 0', { name: event.name })
      .andWhere('d.version = (SELECT max(v.version) FROM process_definitions v WHERE v.tenant_id = d.tenant_id AND v.key = d.key)')
      .orderBy('d.key')
      .getMany();
    const listening: ProcessDefinition[] = [];
    for (const definition of candidates) {
      const read = await readDeployedBpmn(definition.bpmn);
      if (read.ok && startEventId(read.definitions, event) !== null) listening.push(definition);
    }
    return listening;
  }

  /** Starts an instance of `definition` whose start event takes `event`, in the caller's transaction; `delivered` follows its opening line. */
  async start(
    manager: EntityManager,
    definition: ProcessDefinition,
    event: StartEvent,
    businessKey: string | null,
    variables: JsonObject,
    principal: Principal | null,
    delivered: Omit<HistoryLine, 'instanceId'>,
  ): Promise<{ instance: InstanceAnswer; toSchedule: AfterCommit[] }> {
    const opening = startedLine(definition, principal);
    const run = await this.steps.stepOrFailure(async () => {
      const read = await readDeployedBpmn(definition.bpmn);
      const id = read.ok ? startEventId(read.definitions, event) : null;
      if (!id) throw new InstanceFailure(`${definition.key} has no start event for ${event.kind} ${event.name}`);
      return (await EngineRun.create(definition.bpmn, () => variables)).startOnMessage(id);
    });
    return this.steps.insertStarted(manager, definition, businessKey, variables, principal, run, [opening, delivered]);
  }
}
