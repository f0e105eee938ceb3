import { Injectable } from '@nestjs/common';
import type { ModdleElement } from 'bpmn-moddle';
import { listOf } from './bpmn-tree.js';
import { readDeployedBpmn } from './bpmn-reader.js';
import type { ProcessDefinition } from './process-definition.entity.js';
import { ProcessDefinitionRepository } from './process-definition.repository.js';

/** Whether a process of the file has a top-level start event without an event definition: one a person (or the API) starts. */
export function hasPlainStart(definitions: ModdleElement): boolean {
  return listOf(definitions, 'rootElements')
    .filter((root) => root.$type === 'bpmn:Process')
    .some((process) =>
      listOf(process, 'flowElements').some(
        (element) => element.$type === 'bpmn:StartEvent' && listOf(element, 'eventDefinitions').length === 0,
      ),
    );
}

/**
 * The processes the start page offers: the latest version of each, when it has a plain start event.
 * One started only by a message, a timer or a signal is left out: delivering that event starts it.
 */
@Injectable()
export class StartableProcesses {
  constructor(private readonly definitions: ProcessDefinitionRepository) {}

  async list(): Promise<ProcessDefinition[]> {
    const latest = await this.definitions
      .query('d')
      .andWhere('d.version = (SELECT max(v.version) FROM process_definitions v WHERE v.tenant_id = d.tenant_id AND v.key = d.key)')
      .orderBy('d.key')
      .getMany();
    const startable: ProcessDefinition[] = [];
    for (const definition of latest) {
      const read = await readDeployedBpmn(definition.bpmn);
      if (read.ok && hasPlainStart(read.definitions)) startable.push(definition);
    }
    return startable;
  }
}
