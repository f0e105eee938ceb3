import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ActorDirectory, parseActor, parseActors, type Actor } from '../access/actors.js';
import type { TenantScopedRepository } from '../db/tenant-scoped.repository.js';
import { UserRepository } from '../identity/user.repository.js';
import type { WaitingUserTask } from './engine-run.js';
import type { Task } from './task.entity.js';

/** camunda:priority absent or unreadable: the middle of Camunda's usual 0–100 range. */
const DEFAULT_PRIORITY = 50;

/** Turns the user tasks an engine waits on into task rows, resolving candidates once, at creation. */
@Injectable()
export class TaskRows {
  constructor(
    private readonly actors: ActorDirectory,
    private readonly users: UserRepository,
  ) {}

  /**
   * Inserts a row for each waiting user task that has none yet (a task row is never created twice).
   * Candidates are read through the caller's transaction: asking the pool for a second connection
   * while holding one deadlocks once every connection is held by a step doing the same.
   */
  async createMissing(
    manager: EntityManager,
    tasks: TenantScopedRepository<Task>,
    instanceId: string,
    waiting: WaitingUserTask[],
  ): Promise<number> {
    const known = new Set((await tasks.find({ instanceId })).map((row) => row.executionId));
    let created = 0;
    for (const task of waiting.filter((w) => !known.has(w.executionId))) {
      const assignee = task.assignee ? await this.resolve(manager, [assigneeActor(task.assignee)]) : [];
      const candidates = await this.resolve(manager, parseActors(task.candidateGroups ?? ''));
      // A named assignee who exists takes the task at once; otherwise it waits for a candidate to claim it.
      const owner = assignee.length === 1 ? assignee[0]! : null;
      await tasks.insert({
        instanceId,
        elementId: task.elementId,
        name: task.name,
        executionId: task.executionId,
        candidateGroups: task.candidateGroups,
        candidateUserIds: [...new Set([...candidates, ...assignee])].sort(),
        assignee: owner,
        state: owner ? 'claimed' : 'open',
        claimedAt: owner ? new Date() : null,
        formKey: task.formKey,
        dueAt: dateOrNull(task.dueDate),
        priority: priorityOf(task.priority),
      });
      created += 1;
    }
    return created;
  }

  private resolve(manager: EntityManager, actors: Actor[]): Promise<string[]> {
    const users = this.users.within(manager);
    return this.actors.usersOf(actors, async (email) => (await users.findOne({ email }))?.id ?? null, manager);
  }
}

/** Camunda models put a user name in camunda:assignee; ours take an e-mail or any actor written with its kind. */
function assigneeActor(text: string): Actor {
  return text.includes(':') ? parseActor(text) : { kind: 'user', email: text.trim().toLowerCase() };
}

function dateOrNull(text: string | null): Date | null {
  if (!text) return null;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}

function priorityOf(text: string | null): number {
  return text !== null && /^\d{1,9}$/.test(text.trim()) ? Number(text.trim()) : DEFAULT_PRIORITY;
}
