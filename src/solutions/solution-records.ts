import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Principal } from '../access/principal.js';
import { OfficeRepository } from '../access/repositories.js';
import { Visibility } from '../access/visibility.js';
import { ProblemException, type FieldError } from '../api/problem.js';
import { ActivityLog } from '../audit/activity-log.js';
import { TenantScopedRepository } from '../db/tenant-scoped.repository.js';
import { UserRepository } from '../identity/user.repository.js';
import type { Locale } from '../i18n/locale.js';
import { translate } from '../i18n/translate.js';
import type { JsonObject } from '../process/process-instance.entity.js';
import { ProcessRuntime } from '../process/process-runtime.js';
import { fieldErrors } from './record-schema.js';
import type { EntityRef } from './solution-catalogue.js';
import { SolutionRecord } from './solution-record.entity.js';

@Injectable()
export class SolutionRecordRepository extends TenantScopedRepository<SolutionRecord> {
  constructor(dataSource: DataSource) {
    super(dataSource, SolutionRecord);
  }
}

export interface ListQuery {
  filters: Record<string, string>;
  sort?: string;
  direction?: 'asc' | 'desc';
  page: number;
}

export interface RecordPage {
  items: SolutionRecord[];
  total: number;
  page: number;
  pageSize: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RECORD_COLUMN_SQL: Record<string, string> = { createdAt: 'r.created_at', updatedAt: 'r.updated_at' };

/**
 * Records of model entities: every read goes through Visibility on the `<solution>.<entity>` resource
 * (a record the user may not see is absent: 404), every write is validated against the entity's JSON
 * Schema (422 with each field's error in the user's language) and recorded in the activity log.
 */
@Injectable()
export class SolutionRecords {
  constructor(
    private readonly records: SolutionRecordRepository,
    private readonly visibility: Visibility,
    private readonly users: UserRepository,
    private readonly offices: OfficeRepository,
    private readonly runtime: ProcessRuntime,
    private readonly activity: ActivityLog,
  ) {}

  async list(principal: Principal, ref: EntityRef, query: ListQuery): Promise<RecordPage> {
    const list = ref.model.list;
    const builder = this.entityQuery(ref);
    for (const [name, value] of Object.entries(query.filters)) {
      if (!list.filters.includes(name)) continue;
      const field = ref.model.fields[name]!;
      const typed = field.type === 'integer' ? Number(value) : field.type === 'boolean' ? value === 'true' : value;
      // Containment is what the GIN (jsonb_path_ops) index answers.
      builder.andWhere(`r.data @> :filter_${name}::jsonb`, { [`filter_${name}`]: JSON.stringify({ [name]: typed }) });
    }
    const sort =
      query.sort && (Object.hasOwn(RECORD_COLUMN_SQL, query.sort) || Object.hasOwn(ref.model.fields, query.sort))
        ? query.sort
        : list.sort.field;
    const direction = (query.direction ?? (sort === list.sort.field ? list.sort.direction : 'asc')).toUpperCase() as 'ASC' | 'DESC';
    // jsonb orders numbers as numbers and strings as strings; absent values last.
    builder.orderBy(RECORD_COLUMN_SQL[sort] ?? `r.data -> '${sort}'`, direction, 'NULLS LAST').addOrderBy('r.id', 'ASC');
    const restricted = await this.visibility.restrict(builder, 'r', ref.resource, 'see', principal);
    const pageSize = list.pageSize;
    const page = Math.max(1, query.page);
    const [items, total] = await restricted
      .skip((page - 1) * pageSize)
      .take(pageSize)
      .getManyAndCount();
    return { items, total, page, pageSize };
  }

  async create(principal: Principal, ref: EntityRef, input: JsonObject, locale: Locale): Promise<SolutionRecord> {
    if (!(await this.visibility.allows(principal, ref.resource, 'act'))) throw new ProblemException(403, 'forbidden');
    const data: JsonObject = { ...this.defaults(ref, principal), ...input };
    await this.check(ref, data, locale);
    const record = await this.records.insert({
      solution: ref.solution.key,
      entity: ref.key,
      data,
      createdBy: principal.userId,
      officeId: principal.grants.find((grant) => grant.officeId)?.officeId ?? null,
      processInstanceId: null,
      version: 1,
    });
    await this.record('record.created', principal, ref, record.id);
    return record;
  }

  /** One record the principal sees (404 otherwise). */
  async get(principal: Principal, ref: EntityRef, id: string, action: 'see' | 'act' = 'see'): Promise<SolutionRecord> {
    if (!UUID.test(id)) throw new ProblemException(404, 'not-found');
    const query = this.entityQuery(ref).andWhere('r.id = :id', { id });
    const record = await (await this.visibility.restrict(query, 'r', ref.resource, 'see', principal)).getOne();
    if (!record) throw new ProblemException(404, 'not-found');
    if (action === 'act') {
      const again = this.entityQuery(ref).andWhere('r.id = :id', { id });
      if (!(await (await this.visibility.restrict(again, 'r', ref.resource, 'act', principal)).getOne()))
        throw new ProblemException(403, 'forbidden');
    }
    return record;
  }

  /** Changes some fields; `version`, when given, must be the one read (409 otherwise). */
  async patch(
    principal: Principal,
    ref: EntityRef,
    id: string,
    patch: JsonObject,
    version: number | undefined,
    locale: Locale,
  ): Promise<SolutionRecord> {
    const record = await this.get(principal, ref, id, 'act');
    if (version !== undefined && version !== record.version) throw new ProblemException(409, 'conflict');
    const errors = fieldErrors(ref.patchSchema, patch, locale);
    if (errors.length) throw new ProblemException(422, 'validation', undefined, { errors });
    const updated = await this.write(ref, record, patch, locale);
    await this.record('record.updated', principal, ref, id, { fields: Object.keys(patch).sort() });
    return updated;
  }

  /** Starts the process the action names: business key = record id, variables = the record's data. */
  async runAction(principal: Principal, ref: EntityRef, id: string, actionKey: string, locale: Locale): Promise<SolutionRecord> {
    const action = Object.hasOwn(ref.model.actions, actionKey) ? ref.model.actions[actionKey] : undefined;
    if (!action) throw new ProblemException(404, 'not-found');
    const record = await this.get(principal, ref, id, 'act');
    // One process per record at a time: the link is what task forms follow back to the record.
    if (record.processInstanceId) throw new ProblemException(409, 'conflict', 'the record already has a process');
    const data = { ...record.data, ...action.set };
    await this.check(ref, data, locale);
    const instance = await this.runtime.start(action.process, record.id, { ...data, recordId: record.id }, principal);
    const saved = await this.records.update(
      { id: record.id, version: record.version },
      { data, processInstanceId: instance.id, version: record.version + 1, updatedAt: new Date() },
    );
    if (saved === 0) throw new ProblemException(409, 'conflict');
    await this.record('record.action', principal, ref, id, { action: actionKey, processInstanceId: instance.id });
    return (await this.records.findOne({ id: record.id }))!;
  }

  /** The record a process instance was started for (the task forms' way back to it). */
  /** The record a process instance was started for; `manager` reads it inside that transaction. */
  forInstance(ref: EntityRef, instanceId: string, manager?: EntityManager): Promise<SolutionRecord | null> {
    return this.on(manager).findOne({ solution: ref.solution.key, entity: ref.key, processInstanceId: instanceId });
  }

  /**
   * Merges `patch` into the record, re-validates the whole record and saves it under its version (422,
   * 409); `manager` makes the write part of a caller's transaction (a task form's, with the step).
   */
  async write(ref: EntityRef, record: SolutionRecord, patch: JsonObject, locale: Locale, manager?: EntityManager): Promise<SolutionRecord> {
    const records = this.on(manager);
    const data = { ...record.data, ...patch };
    await this.check(ref, data, locale);
    const saved = await records.update(
      { id: record.id, version: record.version },
      { data, version: record.version + 1, updatedAt: new Date() },
    );
    if (saved === 0) throw new ProblemException(409, 'conflict');
    return (await records.findOne({ id: record.id }))!;
  }

  private on(manager: EntityManager | undefined): TenantScopedRepository<SolutionRecord> {
    return manager ? this.records.within(manager) : this.records;
  }

  /** The schema, then what a schema cannot know: that referenced users and offices exist in this workspace. */
  private async check(ref: EntityRef, data: JsonObject, locale: Locale): Promise<void> {
    const errors: FieldError[] = fieldErrors(ref.schema, data, locale);
    for (const [name, field] of Object.entries(ref.model.fields)) {
      const value = data[name];
      if (typeof value !== 'string' || !UUID.test(value) || errors.some((error) => error.field === name)) continue;
      if (field.type === 'user' && !(await this.users.findOne({ id: value }))) {
        errors.push({ field: name, message: translate(locale, 'solutions.error.unknownUser') });
      }
      if (field.type === 'office' && !(await this.offices.findOne({ id: value }))) {
        errors.push({ field: name, message: translate(locale, 'solutions.error.unknownOffice') });
      }
    }
    if (errors.length) throw new ProblemException(422, 'validation', undefined, { errors });
  }

  private defaults(ref: EntityRef, principal: Principal): JsonObject {
    const data: JsonObject = {};
    for (const [name, field] of Object.entries(ref.model.fields)) {
      if (field.default === undefined) continue;
      data[name] = field.default === 'creator' && field.type === 'user' ? principal.userId : field.default;
    }
    return data;
  }

  private entityQuery(ref: EntityRef) {
    return this.records
      .query('r')
      .andWhere('r.solution = :solution', { solution: ref.solution.key })
      .andWhere('r.entity = :entity', { entity: ref.key });
  }

  private record(action: string, principal: Principal, ref: EntityRef, id: string, details: Record<string, unknown> = {}): Promise<void> {
    return this.activity.record({
      action,
      actor: { id: principal.userId, email: principal.email },
      resource: { type: ref.resource, id },
      details,
    });
  }
}
