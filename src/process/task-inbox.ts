import { Injectable } from '@nestjs/common';
import type { Principal } from '../access/principal.js';
import { Visibility } from '../access/visibility.js';
import { ProblemException } from '../api/problem.js';
import { ActivityLog } from '../audit/activity-log.js';
import type { JsonObject } from './process-instance.entity.js';
import { ProcessRuntime, type InstanceAnswer } from './process-runtime.js';
import { TaskRepository } from './runtime-repositories.js';
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
    private readonly runtime: ProcessRuntime,
    private readonly activity: ActivityLog,
  ) {}

  async list(principal: Principal, state: TaskState | undefined): Promise<TaskView[]> {
    const query = this.tasks.query('t').orderBy('t.priority', 'DESC').addOrderBy('t.created_at', 'ASC').addOrderBy('t.id', 'ASC');
    if (state) query.andWhere('t.state = :state', { state });
    const rows = await (await this.visibility.restrict(query, 't', 'task', 'see', principal)).getMany();
    return rows.map(viewOf);
  }

  /**
   * The task rows behind the inbox pages (same visibility as `list`; completed ones newest first): the
   * pages need the dates, the submitted data and the instance, which the API's view leaves out.
   */
  async rows(principal: Principal, state: TaskState, limit = 200): Promise<Task[]> {
    const query = this.tasks.query('t').andWhere('t.state = :state', { state });
    if (state === 'completed') query.orderBy('t.completed_at', 'DESC');
    else query.orderBy('t.priority', 'DESC').addOrderBy('t.created_at', 'ASC');
    query.addOrderBy('t.id', 'ASC').take(limit);
    return (await this.visibility.restrict(query, 't', 'task', 'see', principal)).getMany();
  }

  /** How many tasks each inbox tab holds; one grouped query, cheap enough to poll (see task-pages.controller.ts). */
  async counts(principal: Principal, completedSince: Date): Promise<{ open: number; mine: number; completed: number }> {
    const query = this.tasks
      .query('t')
      .select("COUNT(*) FILTER (WHERE t.state = 'open')", 'open')
      .addSelect("COUNT(*) FILTER (WHERE t.state = 'claimed' AND t.assignee = :me)", 'mine')
      .addSelect("COUNT(*) FILTER (WHERE t.state = 'completed' AND t.completed_at >= :since)", 'completed')
      .setParameters({ me: principal.userId, since: completedSince });
    const raw = await (await this.visibility.restrict(query, 't', 'task', 'see', principal)).getRawOne<Record<string, string>>();
    return { open: Number(raw?.open ?? 0), mine: Number(raw?.mine ?? 0), completed: Number(raw?.completed ?? 0) };
  }

  /** One task the principal sees (404 otherwise), whether or not they may act on it: the detail page. */
  async row(principal: Principal, id: string): Promise<Task> {
    if (!UUID.test(id)) throw new ProblemException(404, 'not-found');
    const query = this.tasks.query('t').andWhere('t.id = :id', { id });
    const task = await (await this.visibility.restrict(query, 't', 'task', 'see', principal)).getOne();
    if (!task) throw new ProblemException(404, 'not-found');
    return task;
  }

  async claim(principal: Principal, id: string): Promise<TaskView> {
    await this.find(principal, id);
    const claimed = await this.tasks.update({ id, state: 'open' }, { state: 'claimed', assignee: principal.userId, claimedAt: new Date() });
    if (claimed === 0) throw new ProblemException(409, 'conflict');
    await this.record('task.claimed', principal, id);
    return viewOf(await this.find(principal, id));
  }

  /** The assignee gives the task back to its candidates; an admin may do it for someone who is away. */
  async release(principal: Principal, id: string): Promise<TaskView> {
    await this.find(principal, id);
    const admin = (await this.visibility.reach(principal, 'task', 'act')).all;
    const where = admin ? { id, state: 'claimed' as const } : { id, state: 'claimed' as const, assignee: principal.userId };
    const released = await this.tasks.update(where, { state: 'open', assignee: null, claimedAt: null });
    if (released === 0) throw new ProblemException(409, 'conflict');
    await this.record('task.released', principal, id);
    return viewOf(await this.find(principal, id));
  }

  /** Only the assignee completes, with the form data; the process moves on in the same transaction. */
  async complete(
    principal: Principal,
    id: string,
    data: JsonObject,
  ): Promise<{ id: string; state: TaskState; processInstance: InstanceAnswer }> {
    await this.find(principal, id);
    const instance = await this.runtime.complete(id, data, principal);
    await this.record('task.completed', principal, id, { processInstanceId: instance.id, instanceStatus: instance.status });
    return { id, state: 'completed', processInstance: instance };
  }

  /** The task when the principal sees it (404 otherwise) and may act on it (403 otherwise). */
  private async find(principal: Principal, id: string): Promise<Task> {
    if (!UUID.test(id)) throw new ProblemException(404, 'not-found');
    const byId = () => this.tasks.query('t').andWhere('t.id = :id', { id });
    const task = await (await this.visibility.restrict(byId(), 't', 'task', 'see', principal)).getOne();
    if (!task) throw new ProblemException(404, 'not-found');
    if (!(await (await this.visibility.restrict(byId(), 't', 'task', 'act', principal)).getOne()))
      throw new ProblemException(403, 'forbidden');
    return task;
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

function viewOf(task: Task): TaskView {
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
  };
}
