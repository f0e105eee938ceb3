import { Injectable } from '@nestjs/common';
import type { Principal } from '../access/principal.js';
import { Visibility } from '../access/visibility.js';
import { ProblemException } from '../api/problem.js';
import type { InstanceStatus, JsonObject } from './process-instance.entity.js';
import { ProcessDefinitionRepository } from './process-definition.repository.js';
import { ProcessInstanceRepository } from './runtime-repositories.js';

export interface InstanceView {
  id: string;
  status: InstanceStatus;
  definitionKey: string;
  definitionVersion: number;
  businessKey: string | null;
  activeElements: string[];
  variables: JsonObject;
  failure: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads process instances as the principal may see them: their own starts, or all for admins and managers. */
@Injectable()
export class ProcessInstances {
  constructor(
    private readonly instances: ProcessInstanceRepository,
    private readonly definitions: ProcessDefinitionRepository,
    private readonly visibility: Visibility,
  ) {}

  async get(principal: Principal, id: string): Promise<InstanceView> {
    if (!UUID.test(id)) throw new ProblemException(404, 'not-found');
    const query = this.instances.query('i').andWhere('i.id = :id', { id });
    const instance = await (await this.visibility.restrict(query, 'i', 'process-instance', 'see', principal)).getOne();
    if (!instance) throw new ProblemException(404, 'not-found');
    const definition = await this.definitions.findOne({ id: instance.definitionId });
    if (!definition) throw new ProblemException(404, 'not-found');
    return {
      id: instance.id,
      status: instance.status,
      definitionKey: definition.key,
      definitionVersion: definition.version,
      businessKey: instance.businessKey,
      activeElements: instance.activeElements,
      variables: instance.variables,
      failure: instance.failure,
    };
  }
}
