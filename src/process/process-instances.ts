import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import type { Principal } from '../access/principal.js';
import { Visibility } from '../access/visibility.js';
import { ProblemException } from '../api/problem.js';
import type { InstanceStatus, JsonObject } from './process-instance.entity.js';
import { ProcessDefinitionRepository } from './process-definition.repository.js';
import { ProcessInstanceRepository } from './runtime-repositories.js';
import { ProcessIncidentRepository } from './service-jobs.js';
import { containedDocuments, type VariableCondition } from './variable-filter.js';

export interface InstanceView {
  id: string;
  status: InstanceStatus;
  definitionKey: string;
  definitionVersion: number;
  businessKey: string | null;
  activeElements: string[];
  variables: JsonObject;
  failure: string | null;
  definitionName: string | null;
  startedBy: string | null;
  createdAt: Date;
  endedAt: Date | null;
  /** Open incidents: service tasks the instance is stuck on until an admin retries them. */
  incidents: { id: string; elementId: string; error: string }[];
}

export interface InstanceSummary {
  id: string;
  status: InstanceStatus;
  definitionKey: string;
  definitionVersion: number;
  definitionName: string | null;
  businessKey: string | null;
  activeElements: string[];
  startedBy: string | null;
  createdAt: Date;
  endedAt: Date | null;
}

export interface InstanceFilter {
  definitionKey?: string;
  status?: InstanceStatus;
  businessKey?: string;
  /** Equality on top-level variables, all of them (see variable-filter.ts for how text meets JSON types). */
  variables?: VariableCondition[];
  limit: number;
  offset: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads process instances as the principal may see them: their own starts, or all for admins and managers. */
@Injectable()
export class ProcessInstances {
  constructor(
    private readonly instances: ProcessInstanceRepository,
    private readonly definitions: ProcessDefinitionRepository,
    private readonly visibility: Visibility,
    private readonly incidents: ProcessIncidentRepository,
  ) {}

  /** The instances the principal sees, newest first, filtered by definition key, status, business key and variables (exact). */
  async list(principal: Principal, filter: InstanceFilter): Promise<InstanceSummary[]> {
    const query = this.instances
      .query('i')
      .orderBy('i.created_at', 'DESC')
      .addOrderBy('i.id', 'ASC')
      .skip(filter.offset)
      .take(filter.limit);
    if (filter.status) query.andWhere('i.status = :status', { status: filter.status });
    if (filter.businessKey) query.andWhere('i.business_key = :businessKey', { businessKey: filter.businessKey });
    (filter.variables ?? []).forEach((condition, n) => {
      // Containment, so the GIN index on variables answers it; one document per JSON type the text may mean.
      const documents = containedDocuments(condition);
      query.andWhere(
        `(${documents.map((_, k) => `i.variables @> CAST(:var${n}_${k} AS jsonb)`).join(' OR ')})`,
        Object.fromEntries(documents.map((document, k) => [`var${n}_${k}`, document])),
      );
    });
    if (filter.definitionKey) {
      query.andWhere('i.definition_id IN (SELECT d.id FROM process_definitions d WHERE d.tenant_id = i.tenant_id AND d.key = :key)', {
        key: filter.definitionKey,
      });
    }
    const rows = await (await this.visibility.restrict(query, 'i', 'process-instance', 'see', principal)).getMany();
    const ids = [...new Set(rows.map((row) => row.definitionId))];
    const definitions = new Map((ids.length ? await this.definitions.find({ id: In(ids) }) : []).map((d) => [d.id, d]));
    return rows.map((row) => {
      const definition = definitions.get(row.definitionId);
      return {
        id: row.id,
        status: row.status,
        definitionKey: definition?.key ?? '',
        definitionVersion: definition?.version ?? 0,
        definitionName: definition?.name ?? null,
        businessKey: row.businessKey,
        activeElements: row.activeElements,
        startedBy: row.startedBy,
        createdAt: row.createdAt,
        endedAt: row.endedAt,
      };
    });
  }

  async get(principal: Principal, id: string): Promise<InstanceView> {
    const { instance, definition } = await this.find(principal, id);
    return {
      id: instance.id,
      status: instance.status,
      definitionKey: definition.key,
      definitionVersion: definition.version,
      businessKey: instance.businessKey,
      activeElements: instance.activeElements,
      variables: instance.variables,
      failure: instance.failure,
      definitionName: definition.name,
      startedBy: instance.startedBy,
      createdAt: instance.createdAt,
      endedAt: instance.endedAt,
      incidents: (await this.incidents.find({ instanceId: instance.id, state: 'open' }, { order: { createdAt: 'ASC' } })).map((row) => ({
        id: row.id,
        elementId: row.elementId,
        error: row.error,
      })),
    };
  }

  /** The BPMN XML of the version the instance runs, for its diagram. */
  async bpmn(principal: Principal, id: string): Promise<string> {
    return (await this.find(principal, id)).definition.bpmn;
  }

  private async find(principal: Principal, id: string) {
    if (!UUID.test(id)) throw new ProblemException(404, 'not-found');
    const query = this.instances.query('i').andWhere('i.id = :id', { id });
    const instance = await (await this.visibility.restrict(query, 'i', 'process-instance', 'see', principal)).getOne();
    if (!instance) throw new ProblemException(404, 'not-found');
    const definition = await this.definitions.findOne({ id: instance.definitionId });
    if (!definition) throw new ProblemException(404, 'not-found');
    return { instance, definition };
  }
}
