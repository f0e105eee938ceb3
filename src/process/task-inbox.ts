import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import type { Principal } from '../access/principal.js';
import { Visibility } from '../access/visibility.js';
import { ProblemException } from '../api/problem.js';
import { ActivityLog } from '../audit/activity-log.js';
import type { Locale } from '../i18n/locale.js';
import type { HistoryEvent } from './process-history.entity.js';
import { ProcessHistory } from './process-history.js';
import type { JsonObject } from './process-instance.entity.js';
import type { InstanceAnswer } from './instance-steps.js';
import { TaskSteps } from './task-steps.js';
import { TaskRepository } from './runtime-repositories.js';
import { TaskForms, type AfterFormCommit, type FormInput } from './task-forms.js';
import { TaskGuards } from './task-guards.js';
import type { Task, TaskState } from './task.entity.js';

export interface TaskView {
  id: string;
  name: string | null;
  elementId: string;
  candidateGroups: string | null;
  assignee: string | null;
  processInstanceId: string;
  state: TaskState;
  dueAt: Date | null;
  priority: number;
  formKey: string | null;
  /** When a boundary timer fired while nobody had taken the task in charge (sollecitata). */
  escalatedAt: Date | null;
}

/** What the inbox can be narrowed to, in the API (query parameters) and on the pages (the filter form). */
export interface TaskFilter {
  state?: TaskState;
  /** Only the tasks the principal has in charge. */
  mine?: boolean;
  escalated?: boolean;
  overdue?: boolean;
  /** A process definition key. */
  process?: string;
  minPriority?: number;
  /** Words in the task's name or its case's business key. */
  text?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The user tasks a person may see and take: a task is theirs when they are among its candidates or
 * its assignee (admins reach all). Claiming (presa in carico) is a conditional update, so of two
 * people claiming at once exactly one wins and the other gets 409.
 */
@Injectable()
export class TaskInbox {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly visibility: Visibility,
    private readonly steps: TaskSteps,
    private readonly activity: ActivityLog,
    private readonly forms: TaskForms,
    private readonly dataSource: DataSource,
    private readonly history: ProcessHistory,
    private readonly guards: TaskGuards,
  ) {}

  async list(principal: Principal, filter: TaskFilter = {}): Promise<TaskView[]> {
    const query = this.tasks.query('t').orderBy('t.priority', 'DESC').addOrderBy('t.created_at', 'ASC').addOrderBy('t.id', 'ASC');
    if (filter.state) query.andWhere('t.state = :state', { state: filter.state });
    applyFilter(query, filter, principal);
    const rows = await (await this.visibility.restrict(query, 't', 'task', 'see', principal)).getMany();
    return rows.map(taskView);
  }

  /**
   * The task rows behind the inbox pages (same visibility as `list`; completed ones newest first): the
   * pages need the dates, the submitted data and the instance, which the API's view leaves out.
   */
  async rows(principal: Principal, state: TaskState, filter: TaskFilter = {}, limit = 200): Promise<Task[]> {
    const query = this.tasks.query('t').andWhere('t.state = :state', { state });
    applyFilter(query, filter, principal);
    if (state === 'completed') query.orderBy('t.completed_at', 'DESC');
    else query.orderBy('t.priority', 'DESC').addOrderBy('t.created_at', 'ASC');
    query.addOrderBy('t.id', 'ASC').take(limit);
    return (await this.visibility.restrict(query, 't', 'task', 'see', principal)).getMany();
  }

  /** How many tasks each inbox tab holds; one grouped query, cheap enough to poll (see task-pages.controller.ts). */
  async counts(principal: Principal, completedSince: Date): Promise<{ open: number; mine: number; completed: number; escalated: number }> {
    const query = this.tasks
      .query('t')
      .select("COUNT(*) FILTER (WHERE t.state = 'open')", 'open')
      .addSelect("COUNT(*) FILTER (WHERE t.state = 'claimed' AND t.assignee = :me)", 'mine')
      .addSelect("COUNT(*) FILTER (WHERE t.state = 'completed' AND t.completed_at >= :since)", 'completed')
      .addSelect("COUNT(*) FILTER (WHERE t.state IN ('open', 'claimed') AND t.escalated_at IS NOT NULL)", 'escalated')
      .setParameters({ me: principal.userId, since: completedSince });
    const raw = await (await this.visibility.restrict(query, 't', 'task', 'see', principal)).getRawOne<Record<string, string>>();
    return {
      open: Number(raw?.open ?? 0),
      mine: Number(raw?.mine ?? 0),
      completed: Number(raw?.completed ?? 0),
      escalated: Number(raw?.escalated ?? 0),
    };
  }

  /** One task the principal sees (404 otherwise), whether or not they may act on it: the detail page. */
  async row(principal: Principal, id: string): Promise<Task> {
    if (!UUID.test(id)) throw new ProblemException(404, 'not-found');
    const query = this.tasks.query('t').andWhere('t.id = :id', { id });
    const task = await (await this.visibility.restrict(query, 't', 'task', 'see', principal)).getOne();
    if (!task) throw new ProblemException(404, 'not-found');
    return task;
  }

  async claim(principal: Principal, id: string, locale: Locale): Promise<TaskView> {
    const task = await this.find(principal, id);
    await this.guards.check(task, principal, { kind: 'claim' }, locale);
    const claimed = await this.changed(task, principal.userId, 'task-claimed', (tasks) =>
      tasks.update({ id, state: 'open' }, { state: 'claimed', assignee: principal.userId, claimedAt: new Date() }),
    );
    if (claimed === 0) throw new ProblemException(409, 'conflict');
    await this.record('task.claimed', principal, id);
    return taskView(await this.find(principal, id));
  }

  /** The assignee gives the task back to its candidates; an admin may do it for someone who is away. */
  async release(principal: Principal, id: string): Promise<TaskView> {
    const task = await this.find(principal, id);
    const admin = (await this.visibility.reach(principal, 'task', 'act')).all;
    const where = admin ? { id, state: 'claimed' as const } : { id, state: 'claimed' as const, assignee: principal.userId };
    const released = await this.changed(task, principal.userId, 'task-released', (tasks) =>
      tasks.update(where, { state: 'open', assignee: null, claimedAt: null }),
    );
    if (released === 0) throw new ProblemException(409, 'conflict');
    await this.record('task.released', principal, id);
    return taskView(await this.find(principal, id));
  }

  /**
   * Only the assignee completes, with the form data; the process moves on in the same transaction. A
   * task with a form (camunda:formKey) gets its data validated first (422 listing each field's error)
   * and, in the step's transaction, the form's effects on the linked record: should that write fail
   * (the record no longer valid: 422; changed meanwhile: 409), nothing of the completion is kept.
   */
  async complete(
    principal: Principal,
    id: string,
    submitted: JsonObject,
    options: { locale: Locale; input: FormInput } = { locale: 'it', input: 'json' },
  ): Promise<{ id: string; state: TaskState; processInstance: InstanceAnswer }> {
    const task = await this.find(principal, id);
    if (task.state !== 'claimed' || task.assignee !== principal.userId) throw new ProblemException(409, 'conflict');
    const data = (await this.forms.prepare(task, submitted, options.input, options.locale)) ?? submitted;
    await this.guards.check(task, principal, { kind: 'complete', data }, options.locale);
    let afterCommit: AfterFormCommit | undefined;
    const instance = await this.steps.complete(id, data, principal, async (manager) => {
      afterCommit = await this.forms.completed(manager, task, data, principal, options.locale);
    });
    await afterCommit?.();
    await this.record('task.completed', principal, id, { processInstanceId: instance.id, instanceStatus: instance.status });
    return { id, state: 'completed', processInstance: instance };
  }

  /** The task when the principal sees it (404 otherwise) and may act on it (403 otherwise); task-work.ts shares it. */
  async find(principal: Principal, id: string): Promise<Task> {
    if (!UUID.test(id)) throw new ProblemException(404, 'not-found');
    const byId = () => this.tasks.query('t').andWhere('t.id = :id', { id });
    const task = await (await this.visibility.restrict(byId(), 't', 'task', 'see', principal)).getOne();
    if (!task) throw new ProblemException(404, 'not-found');
    if (!(await (await this.visibility.restrict(byId(), 't', 'task', 'act', principal)).getOne()))
      throw new ProblemException(403, 'forbidden');
    return task;
  }

  /**
   * A change of the task (a conditional update, or rows that hang off it) and, when it changed
   * something, its history line: both or neither. Claim and release here; delegation, notes,
   * attachments and escalations (task-work.ts, task-attachments.ts, task-escalation.ts) too.
   */
  changed(
    task: Task,
    actorId: string | null,
    event: HistoryEvent,
    update: (tasks: TaskRepository, manager: EntityManager) => Promise<number>,
    details?: Record<string, unknown>,
  ): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const changed = await update(this.tasks.within(manager), manager);
      if (changed > 0) {
        await this.history.append(manager, [
          {
            instanceId: task.instanceId,
            event,
            taskId: task.id,
            elementId: task.elementId,
            elementName: task.name,
            actorId,
            ...(details ? { details } : {}),
          },
        ]);
      }
      return changed;
    });
  }

  private record(action: string, principal: Principal, id: string, details?: Record<string, unknown>): Promise<void> {
    return this.activity.record({
      action,
      actor: { id: principal.userId, email: principal.email },
      resource: { type: 'task', id },
      ...(details ? { details } : {}),
    });
  }
}

/** Narrows a task query; visibility is added by the caller, after. */
function applyFilter(query: SelectQueryBuilder<Task>, filter: TaskFilter, principal: Principal): void {
  if (filter.mine) query.andWhere('t.assignee = :filterMe', { filterMe: principal.userId });
  if (filter.escalated) query.andWhere('t.escalated_at IS NOT NULL');
  if (filter.overdue) query.andWhere(`t.due_at < now() AND t.state IN ('open', 'claimed')`);
  if (filter.minPriority !== undefined) query.andWhere('t.priority >= :minPriority', { minPriority: filter.minPriority });
  if (filter.process) {
    query.andWhere(
      `EXISTS (SELECT 1 FROM process_instances fi JOIN process_definitions fd ON fd.id = fi.definition_id
        WHERE fi.id = t.instance_id AND fi.tenant_id = t.tenant_id AND fd.key = :filterProcess)`,
      { filterProcess: filter.process },
    );
  }
  if (filter.text) {
    // The words are data for ILIKE, never a pattern: % and _ typed by the person match themselves.
    const like = `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query.andWhere(
      `(t.name ILIKE :filterText OR EXISTS (SELECT 1 FROM process_instances ti
        WHERE ti.id = t.instance_id AND ti.tenant_id = t.tenant_id AND ti.business_key ILIKE :filterText))`,
      { filterText: like },
    );
  }
}

/** The API's view of a task row. */
export function taskView(task: Task): TaskView {
  return {
    id: task.id,
    name: task.name,
    elementId: task.elementId,
    candidateGroups: task.candidateGroups,
    assignee: task.assignee,
    processInstanceId: task.instanceId,
    state: task.state,
    dueAt: task.dueAt,
    priority: task.priority,
    formKey: task.formKey,
    escalatedAt: task.escalatedAt,
  };
}
