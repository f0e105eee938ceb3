import { Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import type { Principal } from '../access/principal.js';
import { Visibility } from '../access/visibility.js';
import { ProblemException } from '../api/problem.js';
import { insertTogether, type Insertion } from '../db/insert-together.js';
import { TenantScopedRepository } from '../db/tenant-scoped.repository.js';
import { UserRepository } from '../identity/user.repository.js';
import type { SettledRun } from './engine-run.js';
import { ProcessHistoryEntry, type HistoryEvent } from './process-history.entity.js';
import type { JsonObject } from './process-instance.entity.js';
import { ProcessInstanceRepository, TaskRepository } from './runtime-repositories.js';
import type { Task } from './task.entity.js';

/** One line to append; `at` defaults to now. */
export interface HistoryLine {
  instanceId: string;
  event: HistoryEvent;
  taskId?: string | null;
  elementId?: string | null;
  elementType?: string | null;
  elementName?: string | null;
  actorId?: string | null;
  at?: Date;
  details?: JsonObject;
}

/** A line as the API and the pages give it: who is a name, not only an id. */
export interface HistoryView {
  at: Date;
  event: HistoryEvent;
  elementId: string | null;
  elementType: string | null;
  elementName: string | null;
  taskId: string | null;
  actor: { id: string; displayName: string | null } | null;
  details: JsonObject;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class ProcessHistoryRepository extends TenantScopedRepository<ProcessHistoryEntry> {
  constructor(dataSource: DataSource) {
    super(dataSource, ProcessHistoryEntry);
  }
}

/** What a task's history line names of it. */
type TaskNamed = Pick<Task, 'id' | 'elementId' | 'name'>;

/** The lines a settled step leaves: the engine's element events, then the tasks it closed and opened, then the end. */
export function linesOfStep(instanceId: string, settled: SettledRun, created: TaskNamed[], cancelled: TaskNamed[]): HistoryLine[] {
  const task = (event: HistoryEvent) => (row: TaskNamed) => ({
    instanceId,
    event,
    taskId: row.id,
    elementId: row.elementId,
    elementName: row.name,
  });
  return [
    ...settled.events.map((e) => ({ instanceId, ...e })),
    // Cancelled first: an interrupting timer takes the old task away before its escalation opens.
    ...cancelled.map(task('task-cancelled')),
    ...created.map(task('task-created')),
    ...(settled.outcome === 'completed' ? [{ instanceId, event: 'instance-completed' as const }] : []),
  ];
}

/**
 * The process history: appended inside the transactions of the steps and task actions (so it holds
 * exactly what committed), read back per instance or per task with the visibility of either.
 */
@Injectable()
export class ProcessHistory {
  constructor(
    private readonly entries: ProcessHistoryRepository,
    private readonly instances: ProcessInstanceRepository,
    private readonly tasks: TaskRepository,
    private readonly users: UserRepository,
    private readonly visibility: Visibility,
  ) {}

  /** Appends the lines in one statement, on the caller's transaction. */
  async append(manager: EntityManager, lines: HistoryLine[]): Promise<void> {
    await insertTogether(manager, [this.insertion(lines)]);
  }

  /** The insert of the lines, for a statement that writes other rows with them (insertTogether). */
  insertion(lines: HistoryLine[]): Insertion {
    const now = new Date();
    return this.entries.insertion(
      lines.map((line) => ({
        instanceId: line.instanceId,
        taskId: line.taskId ?? null,
        elementId: line.elementId ?? null,
        elementType: line.elementType ?? null,
        elementName: line.elementName ?? null,
        event: line.event,
        actorId: line.actorId ?? null,
        at: line.at ?? now,
        // jsonb: TypeORM's deep-partial type does not fit an open record (same cast as TenantScopedRepository.update).
        details: (line.details ?? {}) as never,
      })),
    );
  }

  /** Every line of one instance the principal sees (404 otherwise), oldest first. */
  async ofInstance(principal: Principal, id: string): Promise<HistoryView[]> {
    if (!UUID.test(id)) throw new ProblemException(404, 'not-found');
    const query = this.instances.query('i').andWhere('i.id = :id', { id });
    if (!(await (await this.visibility.restrict(query, 'i', 'process-instance', 'see', principal)).getOne())) {
      throw new ProblemException(404, 'not-found');
    }
    return this.views(await this.entries.find({ instanceId: id }, { order: { seq: 'ASC' } }));
  }

  /** The lines of one task (created, claimed, released, completed, cancelled) for whoever sees the task. */
  async ofTask(principal: Principal, id: string): Promise<HistoryView[]> {
    if (!UUID.test(id)) throw new ProblemException(404, 'not-found');
    const query = this.tasks.query('t').andWhere('t.id = :id', { id });
    if (!(await (await this.visibility.restrict(query, 't', 'task', 'see', principal)).getOne())) {
      throw new ProblemException(404, 'not-found');
    }
    return this.views(await this.entries.find({ taskId: id }, { order: { seq: 'ASC' } }));
  }

  private async views(rows: ProcessHistoryEntry[]): Promise<HistoryView[]> {
    const ids = [...new Set(rows.flatMap((row) => (row.actorId ? [row.actorId] : [])))];
    const names = new Map((ids.length ? await this.users.find({ id: In(ids) }) : []).map((user) => [user.id, user.displayName]));
    return rows.map((row) => ({
      at: row.at,
      event: row.event,
      elementId: row.elementId,
      elementType: row.elementType,
      elementName: row.elementName,
      taskId: row.taskId,
      actor: row.actorId ? { id: row.actorId, displayName: names.get(row.actorId) ?? null } : null,
      details: row.details,
    }));
  }
}
