import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import type { Principal } from '../access/principal.js';
import { MembershipRepository } from '../access/repositories.js';
import { Visibility } from '../access/visibility.js';
import { ProblemException } from '../api/problem.js';
import { ActivityLog } from '../audit/activity-log.js';
import { UserRepository } from '../identity/user.repository.js';
import { TaskAnnotationRepository, TaskRepository } from './runtime-repositories.js';
import { TaskInbox, taskView, type TaskView } from './task-inbox.js';
import { TaskNotices } from './task-notices.js';
import type { Task } from './task.entity.js';

/** Who a task is handed to: a user id or an e-mail of the workspace. */
export type DelegateTarget = { userId: string } | { email: string };

export interface AnnotationView {
  id: string;
  text: string;
  author: { id: string; name: string | null };
  at: Date;
}

/**
 * Working a task besides claim/complete: handing it to a colleague (delegate) and leaving notes on it
 * (annotations). Access is the inbox's: see to read, act to write.
 */
@Injectable()
export class TaskWork {
  constructor(
    private readonly inbox: TaskInbox,
    private readonly tasks: TaskRepository,
    private readonly annotations: TaskAnnotationRepository,
    private readonly users: UserRepository,
    private readonly visibility: Visibility,
    private readonly memberships: MembershipRepository,
    private readonly notices: TaskNotices,
    private readonly activity: ActivityLog,
  ) {}

  /**
   * The assignee (or an admin or office manager, for someone who is away) hands a claimed task to another of its
   * candidates: only they were resolved as able to work it when the process created it, so handing it
   * to anyone else would give a person a task the model did not mean for them. The delegate gets it
   * in charge at once and an e-mail; the conditional update makes a concurrent release or completion win or lose cleanly.
   */
  async delegate(principal: Principal, id: string, target: DelegateTarget): Promise<TaskView> {
    const task = await this.inbox.find(principal, id);
    if (task.state !== 'claimed' || (task.assignee !== principal.userId && !(await this.oversees(principal, task)))) {
      throw new ProblemException(409, 'conflict');
    }
    const delegate = 'userId' in target ? await this.users.findOne({ id: target.userId }) : await this.users.findByEmail(target.email);
    const field = 'userId' in target ? 'userId' : 'email';
    if (!delegate || delegate.blocked || !task.candidateUserIds.includes(delegate.id)) {
      throw new ProblemException(422, 'validation', undefined, { errors: [{ field, message: 'not a candidate of this task' }] });
    }
    if (delegate.id === task.assignee) {
      throw new ProblemException(422, 'validation', undefined, { errors: [{ field, message: 'already in charge of this task' }] });
    }
    const moved = await this.inbox.changed(
      task,
      principal.userId,
      'task-delegated',
      (tasks) => tasks.update({ id, state: 'claimed', assignee: task.assignee! }, { assignee: delegate.id, claimedAt: new Date() }),
      { from: task.assignee, to: delegate.id },
    );
    if (moved === 0) throw new ProblemException(409, 'conflict');
    await this.activity.record({
      action: 'task.delegated',
      actor: { id: principal.userId, email: principal.email },
      resource: { type: 'task', id },
      details: { from: task.assignee, to: delegate.id, toEmail: delegate.email },
    });
    const from = (await this.users.findOne({ id: principal.userId }))?.displayName ?? principal.email;
    await this.notices.send('delegated', task, [delegate.id], { from });
    // Read without the caller's visibility: having handed it on, they may no longer see it.
    return taskView((await this.tasks.findOne({ id }))!);
  }

  /** An admin, or a manager of an office where one of the task's candidates holds a role: may hand on someone else's task. */
  async oversees(principal: Principal, task: Task): Promise<boolean> {
    const reach = await this.visibility.reach(principal, 'task', 'act');
    if (reach.all) return true;
    if (reach.offices.size === 0 || task.candidateUserIds.length === 0) return false;
    return (await this.memberships.count({ userId: In(task.candidateUserIds), officeId: In([...reach.offices]) })) > 0;
  }

  async annotate(principal: Principal, id: string, text: string): Promise<AnnotationView> {
    const task = await this.inbox.find(principal, id);
    assertOpenForWork(task);
    const annotationId = randomUUID();
    await this.inbox.changed(
      task,
      principal.userId,
      'task-annotated',
      async (_tasks, manager) => {
        await this.annotations.within(manager).insert({ id: annotationId, taskId: id, authorId: principal.userId, text });
        return 1;
      },
      { annotationId },
    );
    await this.activity.record({
      action: 'task.annotated',
      actor: { id: principal.userId, email: principal.email },
      resource: { type: 'task', id },
      details: { annotationId, length: text.length },
    });
    return (await this.annotationsOf(principal, id)).find((a) => a.id === annotationId)!;
  }

  /** Oldest first: the notes read as the conversation they are. */
  async annotationsOf(principal: Principal, id: string): Promise<AnnotationView[]> {
    await this.inbox.row(principal, id);
    const rows = await this.annotations.find({ taskId: id }, { order: { createdAt: 'ASC', id: 'ASC' } });
    const authors = rows.length ? await this.users.find({ id: In([...new Set(rows.map((row) => row.authorId))]) }) : [];
    const names = new Map(authors.map((user) => [user.id, user.displayName]));
    return rows.map((row) => ({
      id: row.id,
      text: row.text,
      author: { id: row.authorId, name: names.get(row.authorId) ?? null },
      at: row.createdAt,
    }));
  }
}

/** A completed or cancelled task's record is closed: notes and files are added while the work is in hand. */
export function assertOpenForWork(task: Task): void {
  if (task.state === 'completed' || task.state === 'cancelled') throw new ProblemException(409, 'conflict');
}
