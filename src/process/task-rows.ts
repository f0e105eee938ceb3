import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { ActorDirectory, ActorSyntaxError, parseActor, parseActors, type Actor } from '../access/actors.js';
import { insertTogether } from '../db/insert-together.js';
import type { TenantScopedRepository } from '../db/tenant-scoped.repository.js';
import { UserRepository } from '../identity/user.repository.js';
import type { WaitingUserTask } from './engine-run.js';
import type { JsonObject } from './process-instance.entity.js';
import { ProcessInstanceRepository } from './runtime-repositories.js';
import type { Task } from './task.entity.js';
import { variableReference } from './user-task-rules.js';

/** A task row to insert, with the key it is given here. */
export type NewTask = Pick<Task, 'id' | 'instanceId' | 'elementId' | 'name' | 'executionId' | 'candidateGroups'> &
  Pick<Task, 'candidateUserIds' | 'assignee' | 'state' | 'claimedAt' | 'formKey' | 'dueAt' | 'priority'>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** camunda:priority absent or unreadable: the middle of Camunda's usual 0–100 range. */
const DEFAULT_PRIORITY = 50;

/** Turns the user tasks an engine waits on into task rows, resolving candidates once, at creation. */
@Injectable()
export class TaskRows {
  constructor(
    private readonly actors: ActorDirectory,
    private readonly users: UserRepository,
    private readonly instances: ProcessInstanceRepository,
  ) {}

  /**
   * Inserts a row for each waiting user task that has none yet (a task row is never created twice), and returns them.
   * Candidates are read through the caller's transaction: asking the pool for a second connection
   * while holding one deadlocks once every connection is held by a step doing the same.
   */
  async createMissing(
    manager: EntityManager,
    tasks: TenantScopedRepository<Task>,
    instanceId: string,
    waiting: WaitingUserTask[],
  ): Promise<NewTask[]> {
    const known = new Set((await tasks.find({ instanceId })).map((row) => row.executionId));
    const rows = await this.rowsFor(
      manager,
      instanceId,
      waiting.filter((w) => !known.has(w.executionId)),
      async () => (await this.instances.within(manager).findOne({ id: instanceId }))?.variables ?? {},
    );
    await insertTogether(manager, [tasks.insertion(rows)]);
    return rows;
  }

  /**
   * The rows of new user tasks, candidates resolved (reads on `manager`), keys made here so that what
   * is written with them can name them; `variables` is read only when a task names one.
   */
  async rowsFor(
    manager: EntityManager,
    instanceId: string,
    waiting: WaitingUserTask[],
    variablesOf: () => Promise<JsonObject>,
  ): Promise<NewTask[]> {
    const rows: NewTask[] = [];
    let loaded: JsonObject | undefined;
    const variables = async () => (loaded ??= await variablesOf());
    for (const task of waiting) {
      let assignee: string[] = [];
      const variable = task.assignee ? variableReference(task.assignee) : null;
      if (variable) assignee = await this.resolveValue(manager, (await variables())[variable]);
      else if (task.assignee) assignee = await this.resolve(manager, [assigneeActor(task.assignee)]);
      const groupsVariable = task.candidateGroups ? variableReference(task.candidateGroups) : null;
      // Kept as resolved (`role:operator@Protocollo`), not as `${candidates}`: the row says who it was for.
      const groups = groupsVariable ? textOrNull((await variables())[groupsVariable]) : task.candidateGroups;
      const candidates = await this.resolve(manager, groupsVariable ? actorsIn(groups) : candidatesOf(task));
      // A named assignee who exists takes the task at once; otherwise it waits for a candidate to claim it.
      const owner = assignee.length === 1 ? assignee[0]! : null;
      rows.push({
        id: randomUUID(),
        instanceId,
        elementId: task.elementId,
        name: task.name,
        executionId: task.executionId,
        candidateGroups: groups,
        candidateUserIds: [...new Set([...candidates, ...assignee])].sort(),
        assignee: owner,
        state: owner ? 'claimed' : 'open',
        claimedAt: owner ? new Date() : null,
        formKey: task.formKey,
        dueAt: dateOrNull(task.dueDate),
        priority: priorityOf(task.priority),
      });
    }
    return rows;
  }

  /**
   * The user a `${variable}` assignee names: a user id (what a model's user field holds, e.g. the
   * requester of a ticket) or an e-mail / actor text. A value naming nobody leaves the task to its candidates.
   */
  private async resolveValue(manager: EntityManager, value: unknown): Promise<string[]> {
    if (typeof value !== 'string' || !value.trim()) return [];
    if (UUID.test(value)) return (await this.users.within(manager).findOne({ id: value })) ? [value] : [];
    try {
      return await this.resolve(manager, [assigneeActor(value)]);
    } catch (error) {
      if (error instanceof ActorSyntaxError) return [];
      throw error;
    }
  }

  private resolve(manager: EntityManager, actors: Actor[]): Promise<string[]> {
    const users = this.users.within(manager);
    return this.actors.usersOf(actors, async (email) => (await users.findOne({ email }))?.id ?? null, manager);
  }
}

/**
 * The task's candidate groups; a task naming no actor at all (deployed with a warning, see
 * userTaskWarnings) goes to the workspace's admins, so it lands in an inbox and can be handed on.
 */
function candidatesOf(task: WaitingUserTask): Actor[] {
  const named = [task.candidateGroups, task.assignee].some((text) => text?.trim());
  return named ? parseActors(task.candidateGroups ?? '') : [WORKSPACE_ADMINS];
}

/**
 * The actors a `${variable}` candidate groups holds (text as in camunda:candidateGroups, set by an
 * earlier step such as the PEC routing). Unreadable, it names nobody: admins see every task and hand it on.
 */
function actorsIn(value: string | null): Actor[] {
  if (value === null) return [];
  try {
    return parseActors(value);
  } catch (error) {
    if (error instanceof ActorSyntaxError) return [];
    throw error;
  }
}

const WORKSPACE_ADMINS: Actor = { kind: 'role', role: 'admin', office: null };

/** Camunda models put a user name in camunda:assignee; ours take an e-mail or any actor written with its kind. */
function assigneeActor(text: string): Actor {
  return text.includes(':') ? parseActor(text) : { kind: 'user', email: text.trim().toLowerCase() };
}

function textOrNull(value: unknown): string | null {
  return typeof value === 'string' && value.trim() ? value : null;
}

function dateOrNull(text: string | null): Date | null {
  if (!text) return null;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}

function priorityOf(text: string | null): number {
  return text !== null && /^\d{1,9}$/.test(text.trim()) ? Number(text.trim()) : DEFAULT_PRIORITY;
}
