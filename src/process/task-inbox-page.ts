import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import type { Principal } from '../access/principal.js';
import { UserRepository } from '../identity/user.repository.js';
import type { Locale } from '../i18n/locale.js';
import { ProcessDefinitionRepository } from './process-definition.repository.js';
import { ProcessInstanceRepository } from './runtime-repositories.js';
import { TaskAttachments } from './task-attachments.js';
import { TaskInbox, type TaskFilter } from './task-inbox.js';
import { TaskLinks, type TaskLink } from './task-links.js';
import { TaskWork } from './task-work.js';
import type { Task } from './task.entity.js';

export type InboxTab = 'open' | 'mine' | 'completed';
export const INBOX_TABS: readonly InboxTab[] = ['open', 'mine', 'completed'];

/** "Completate" shows recent work only: the inbox is for what is to do, the activity log keeps the rest. */
const COMPLETED_WINDOW_DAYS = 30;

export interface InboxCounts {
  open: number;
  mine: number;
  completed: number;
  /** Escalated tasks still to do (open or in charge). */
  escalated: number;
}

export interface TaskRowView {
  id: string;
  name: string;
  process: string;
  businessKey: string | null;
  created: DateView;
  due: DateView | null;
  overdue: boolean;
  /** A boundary timer fired while nobody had taken it in charge (sollecitata), and it is still to do. */
  escalated: boolean;
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
  /** Where what the task is about can be read or answered (the PEC of an intake task). */
  links: TaskLink[];
  variables: { name: string; value: string }[];
  submitted: { name: string; value: string }[];
  canComplete: boolean;
  escalatedAt: DateView | null;
  /** Candidates, assignee, admins: may annotate and attach. */
  canWork: boolean;
  canDelegate: boolean;
  /** The other candidates the task may be handed to. */
  delegates: { id: string; name: string }[];
  annotations: { text: string; author: string; at: DateView }[];
  attachments: { id: string; filename: string; size: string; uploadedBy: string; at: DateView }[];
}

/** Reads the inbox for the pages: task rows joined with their process (definition, business key) and people's names. */
@Injectable()
export class TaskInboxPage {
  constructor(
    private readonly inbox: TaskInbox,
    private readonly instances: ProcessInstanceRepository,
    private readonly definitions: ProcessDefinitionRepository,
    private readonly users: UserRepository,
    private readonly work: TaskWork,
    private readonly attachments: TaskAttachments,
    private readonly links: TaskLinks,
  ) {}

  counts(principal: Principal): Promise<InboxCounts> {
    return this.inbox.counts(principal, completedSince());
  }

  /** The processes of the workspace, for the inbox's process filter. */
  async processes(): Promise<{ key: string; name: string }[]> {
    const rows = await this.definitions
      .query('d')
      .select('d.key', 'key')
      .addSelect('max(d.name)', 'name')
      .groupBy('d.key')
      .orderBy('d.key')
      .getRawMany<{ key: string; name: string | null }>();
    return rows.map((row) => ({ key: row.key, name: row.name ?? row.key }));
  }

  async list(principal: Principal, tab: InboxTab, locale: Locale, filter: TaskFilter = {}): Promise<TaskRowView[]> {
    const state = tab === 'mine' ? 'claimed' : tab;
    let tasks = await this.inbox.rows(principal, state, filter);
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
      links: this.links.of(definition?.key ?? null, instance?.variables ?? {}, locale),
      variables: entries(instance?.variables ?? {}),
      submitted: entries(task.data ?? {}),
      canComplete: task.state === 'claimed' && task.assignee === principal.userId,
      ...(await this.workOn(task, principal, locale)),
    };
  }

  /** The delegate, annotation and attachment parts of the task page. */
  private async workOn(task: Task, principal: Principal, locale: Locale) {
    const mine = task.assignee === principal.userId;
    const oversees = await this.work.oversees(principal, task);
    const inHand = task.state === 'open' || task.state === 'claimed';
    const canWork = inHand && (oversees || mine || task.candidateUserIds.includes(principal.userId));
    const canDelegate = task.state === 'claimed' && (mine || oversees);
    const others = canDelegate ? task.candidateUserIds.filter((id) => id !== task.assignee) : [];
    const people = others.length ? await this.users.find({ id: In(others), blocked: false }) : [];
    const annotations = await this.work.annotationsOf(principal, task.id);
    const attachments = await this.attachments.list(principal, task.id);
    return {
      escalatedAt: dateView(task.escalatedAt, locale),
      canWork,
      canDelegate,
      delegates: people.map((user) => ({ id: user.id, name: user.displayName })).sort((a, b) => a.name.localeCompare(b.name)),
      annotations: annotations.map((a) => ({ text: a.text, author: a.author.name ?? '—', at: dateView(a.at, locale)! })),
      attachments: attachments.map((a) => ({
        id: a.id,
        filename: a.filename,
        size: sizeText(a.size, locale),
        uploadedBy: a.uploadedBy.name ?? '—',
        at: dateView(a.at, locale)!,
      })),
    };
  }

  private async context(tasks: Task[]) {
    const instanceIds = [...new Set(tasks.map((task) => task.instanceId))];
    const instances = instanceIds.length ? await this.instances.find({ id: In(instanceIds) }) : [];
    const definitionIds = [...new Set(instances.map((instance) => instance.definitionId))];
    const definitions = definitionIds.length ? await this.definitions.find({ id: In(definitionIds) }) : [];
    const userIds = [...new Set(tasks.flatMap((task) => (task.assignee ? [task.assignee] : [])))];
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
      escalated: task.escalatedAt !== null && (task.state === 'open' || task.state === 'claimed'),
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

export function dateView(date: Date | null, locale: Locale): DateView | null {
  if (!date) return null;
  const text = new Intl.DateTimeFormat(locale === 'it' ? 'it-IT' : 'en-GB', {
    dateStyle: 'short',
    timeStyle: 'short',
    timeZone: 'Europe/Rome',
  }).format(date);
  return { iso: date.toISOString(), text };
}

function sizeText(bytes: number, locale: Locale): string {
  const format = new Intl.NumberFormat(locale === 'it' ? 'it-IT' : 'en-GB', { maximumFractionDigits: 1 });
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${format.format(bytes / 1024)} KB`;
  return `${format.format(bytes / (1024 * 1024))} MB`;
}

/** Variables as name/text pairs; Handlebars escapes them, objects are shown as JSON. */
function entries(values: Record<string, unknown>): { name: string; value: string }[] {
  return Object.entries(values)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => ({ name, value: typeof value === 'string' ? value : JSON.stringify(value) }));
}
