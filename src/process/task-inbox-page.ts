import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import type { Principal } from '../access/principal.js';
import { UserRepository } from '../identity/user.repository.js';
import type { Locale } from '../i18n/locale.js';
import { ProcessDefinitionRepository } from './process-definition.repository.js';
import { ProcessInstanceRepository } from './runtime-repositories.js';
import { TaskInbox } from './task-inbox.js';
import type { Task } from './task.entity.js';

export type InboxTab = 'open' | 'mine' | 'completed';
export const INBOX_TABS: readonly InboxTab[] = ['open', 'mine', 'completed'];

/** "Completate" shows recent work only: the inbox is for what is to do, the activity log keeps the rest. */
const COMPLETED_WINDOW_DAYS = 30;

export interface InboxCounts {
  open: number;
  mine: number;
  completed: number;
}

export interface TaskRowView {
  id: string;
  name: string;
  process: string;
  businessKey: string | null;
  created: DateView;
  due: DateView | null;
  overdue: boolean;
  priority: number;
  state: Task['state'];
  assigneeName: string | null;
  mine: boolean;
  canClaim: boolean;
  canRelease: boolean;
}

export interface DateView {
  iso: string;
  text: string;
}

export interface TaskDetailView extends TaskRowView {
  definitionKey: string | null;
  definitionVersion: number | null;
  instanceStatus: string | null;
  variables: { name: string; value: string }[];
  submitted: { name: string; value: string }[];
  claimed: DateView | null;
  completed: DateView | null;
  completedByName: string | null;
  canComplete: boolean;
}

/** Reads the inbox for the pages: task rows joined with their process (definition, business key) and people's names. */
@Injectable()
export class TaskInboxPage {
  constructor(
    private readonly inbox: TaskInbox,
    private readonly instances: ProcessInstanceRepository,
    private readonly definitions: ProcessDefinitionRepository,
    private readonly users: UserRepository,
  ) {}

  counts(principal: Principal): Promise<InboxCounts> {
    return this.inbox.counts(principal, completedSince());
  }

  async list(principal: Principal, tab: InboxTab, locale: Locale): Promise<TaskRowView[]> {
    const state = tab === 'mine' ? 'claimed' : tab;
    let tasks = await this.inbox.rows(principal, state);
    if (tab === 'mine') tasks = tasks.filter((task) => task.assignee === principal.userId);
    if (tab === 'completed') tasks = tasks.filter((task) => task.completedAt && task.completedAt >= completedSince());
    const context = await this.context(tasks);
    return tasks.map((task) => this.rowOf(task, principal, locale, context));
  }

  async detail(principal: Principal, id: string, locale: Locale): Promise<TaskDetailView> {
    const task = await this.inbox.row(principal, id);
    const context = await this.context([task]);
    const instance = context.instances.get(task.instanceId);
    const definition = instance ? context.definitions.get(instance.definitionId) : undefined;
    return {
      ...this.rowOf(task, principal, locale, context),
      definitionKey: definition?.key ?? null,
      definitionVersion: definition?.version ?? null,
      instanceStatus: instance?.status ?? null,
      variables: entries(instance?.variables ?? {}),
      submitted: entries(task.data ?? {}),
      claimed: dateView(task.claimedAt, locale),
      completed: dateView(task.completedAt, locale),
      completedByName: task.completedBy ? (context.names.get(task.completedBy) ?? null) : null,
      canComplete: task.state === 'claimed' && task.assignee === principal.userId,
    };
  }

  private async context(tasks: Task[]) {
    const instanceIds = [...new Set(tasks.map((task) => task.instanceId))];
    const instances = instanceIds.length ? await this.instances.find({ id: In(instanceIds) }) : [];
    const definitionIds = [...new Set(instances.map((instance) => instance.definitionId))];
    const definitions = definitionIds.length ? await this.definitions.find({ id: In(definitionIds) }) : [];
    const userIds = [...new Set(tasks.flatMap((task) => [task.assignee, task.completedBy]).filter((id): id is string => id !== null))];
    const users = userIds.length ? await this.users.find({ id: In(userIds) }) : [];
    return {
      instances: new Map(instances.map((instance) => [instance.id, instance])),
      definitions: new Map(definitions.map((definition) => [definition.id, definition])),
      names: new Map(users.map((user) => [user.id, user.displayName])),
    };
  }

  private rowOf(task: Task, principal: Principal, locale: Locale, context: Awaited<ReturnType<TaskInboxPage['context']>>): TaskRowView {
    const instance = context.instances.get(task.instanceId);
    const definition = instance ? context.definitions.get(instance.definitionId) : undefined;
    const mine = task.assignee === principal.userId;
    return {
      id: task.id,
      name: task.name ?? task.elementId,
      process: definition ? (definition.name ?? definition.key) : '—',
      businessKey: instance?.businessKey ?? null,
      created: dateView(task.createdAt, locale)!,
      due: dateView(task.dueAt, locale),
      overdue: task.dueAt !== null && task.state !== 'completed' && task.dueAt.getTime() < Date.now(),
      priority: task.priority,
      state: task.state,
      assigneeName: task.assignee ? (context.names.get(task.assignee) ?? null) : null,
      mine,
      canClaim: task.state === 'open',
      // Admins may release for someone who is away; the service decides, the page only offers it to the assignee.
      canRelease: task.state === 'claimed' && mine,
    };
  }
}

function completedSince(): Date {
  return new Date(Date.now() - COMPLETED_WINDOW_DAYS * 24 * 3600 * 1000);
}

function dateView(date: Date | null, locale: Locale): DateView | null {
  if (!date) return null;
  const text = new Intl.DateTimeFormat(locale === 'it' ? 'it-IT' : 'en-GB', {
    dateStyle: 'short',
    timeStyle: 'short',
    timeZone: 'Europe/Rome',
  }).format(date);
  return { iso: date.toISOString(), text };
}

/** Variables as name/text pairs; Handlebars escapes them, objects are shown as JSON. */
function entries(values: Record<string, unknown>): { name: string; value: string }[] {
  return Object.entries(values)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => ({ name, value: typeof value === 'string' ? value : JSON.stringify(value) }));
}
