import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import type { Principal } from '../access/principal.js';
import { UserRepository } from '../identity/user.repository.js';
import type { Locale } from '../i18n/locale.js';
import { translate, type MessageKey } from '../i18n/translate.js';
import type { HistoryEvent } from './process-history.entity.js';
import { ProcessHistory, type HistoryView } from './process-history.js';
import type { InstanceStatus } from './process-instance.entity.js';
import { ProcessInstances, type InstanceFilter } from './process-instances.js';
import type { DurationFigures } from './process-sla.js';
import { ProcessSla } from './process-sla.js';
import { TaskRepository } from './runtime-repositories.js';
import { dateView, type DateView } from './task-inbox-page.js';

export const INSTANCE_STATUSES: readonly InstanceStatus[] = ['running', 'waiting', 'completed', 'failed'];
export const SLA_PERIODS = ['7', '30', '90', 'all'] as const;
export type SlaPeriod = (typeof SLA_PERIODS)[number];

/** A page of the instance list; one more row is read to know whether a next page exists. */
export const PAGE_SIZE = 50;

export interface HistoryLineView {
  when: DateView;
  what: string;
  element: string | null;
  who: string;
}

/** The wording of a task's lines on the task page: "Presa in carico da Maria Rossi". */
const TASK_LINES: Partial<Record<HistoryEvent, MessageKey>> = {
  'task-created': 'tasks.history.created',
  'task-claimed': 'tasks.history.claimed',
  'task-released': 'tasks.history.released',
  'task-completed': 'tasks.history.completed',
  'task-cancelled': 'tasks.history.cancelled',
  'task-delegated': 'tasks.history.delegated',
  'task-annotated': 'tasks.history.annotated',
  'task-attached': 'tasks.history.attached',
  'task-escalated': 'tasks.history.escalated',
};

/** Reads what the process pages show: instances with people's names, the history as text, the SLA table. */
@Injectable()
export class ProcessPages {
  constructor(
    private readonly instances: ProcessInstances,
    private readonly history: ProcessHistory,
    private readonly sla: ProcessSla,
    private readonly tasks: TaskRepository,
    private readonly users: UserRepository,
  ) {}

  async list(principal: Principal, filter: InstanceFilter, locale: Locale) {
    const rows = await this.instances.list(principal, { ...filter, limit: PAGE_SIZE + 1 });
    const names = await this.names(rows.map((row) => row.startedBy));
    return {
      more: rows.length > PAGE_SIZE,
      rows: rows.slice(0, PAGE_SIZE).map((row) => ({
        ...row,
        process: row.definitionName ?? row.definitionKey,
        statusText: translate(locale, `processes.status.${row.status}`),
        startedByName: row.startedBy ? (names.get(row.startedBy) ?? '—') : '—',
        started: dateView(row.createdAt, locale)!,
        ended: dateView(row.endedAt, locale),
      })),
    };
  }

  async instance(principal: Principal, id: string, locale: Locale) {
    const instance = await this.instances.get(principal, id);
    const lines = await this.history.ofInstance(principal, id);
    const openTasks = await this.tasks.find({ instanceId: id, state: In(['open', 'claimed']) }, { order: { createdAt: 'ASC' } });
    const names = await this.names([instance.startedBy]);
    const active = new Set(instance.activeElements);
    return {
      ...instance,
      process: instance.definitionName ?? instance.definitionKey,
      statusText: translate(locale, `processes.status.${instance.status}`),
      startedByName: instance.startedBy ? (names.get(instance.startedBy) ?? '—') : '—',
      started: dateView(instance.createdAt, locale)!,
      ended: dateView(instance.endedAt, locale),
      variables: Object.entries(instance.variables)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, value]) => ({ name, value: typeof value === 'string' ? value : JSON.stringify(value) })),
      // What the diagram marks: every element that completed at least once and is not waiting again now (a loop).
      completedElements: [...new Set(lines.filter((l) => l.event === 'completed' && !active.has(l.elementId!)).map((l) => l.elementId!))],
      openTasks: openTasks.map((task) => ({ id: task.id, name: task.name ?? task.elementId, state: task.state })),
      history: this.lines(lines, locale),
    };
  }

  /** The task page's history: its own lines, worded as sentences with the person's name. */
  async taskHistory(principal: Principal, taskId: string, locale: Locale): Promise<{ text: string; when: DateView }[]> {
    const lines = await this.history.ofTask(principal, taskId);
    // A delegation names who received the task, as well as who handed it on.
    const delegates = await this.names(lines.map(delegateOf));
    return lines.flatMap((line) => {
      const key = TASK_LINES[line.event];
      const name = line.actor?.displayName ?? '—';
      const to = delegates.get(delegateOf(line) ?? '') ?? '—';
      return key ? [{ text: translate(locale, key, { name, to }), when: dateView(line.at, locale)! }] : [];
    });
  }

  async slaTable(period: SlaPeriod, locale: Locale) {
    const since = period === 'all' ? null : new Date(Date.now() - Number(period) * 24 * 3600 * 1000);
    return (await this.sla.figures(since)).map((row) => ({
      ...row,
      process: row.definitionName ?? row.definitionKey,
      task: row.taskName ?? row.elementId,
      takeChargeText: pair(row.takeCharge, locale),
      completeText: pair(row.complete, locale),
    }));
  }

  private lines(lines: HistoryView[], locale: Locale): HistoryLineView[] {
    return lines.map((line) => ({
      when: momentView(line.at, locale),
      what: translate(locale, `history.event.${line.event}`),
      element: line.elementId ? (line.elementName ? `${line.elementName} (${line.elementId})` : line.elementId) : null,
      who: line.actor ? (line.actor.displayName ?? '—') : translate(locale, 'processes.history.system'),
    }));
  }

  private async names(ids: (string | null)[]): Promise<Map<string, string>> {
    const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
    const users = wanted.length ? await this.users.find({ id: In(wanted) }) : [];
    return new Map(users.map((user) => [user.id, user.displayName]));
  }
}

/** The user a delegation line handed the task to. */
function delegateOf(line: HistoryView): string | null {
  return line.event === 'task-delegated' && typeof line.details.to === 'string' ? line.details.to : null;
}

/** History lines follow each other within seconds: they show the seconds too. */
function momentView(date: Date, locale: Locale): DateView {
  const text = new Intl.DateTimeFormat(locale === 'it' ? 'it-IT' : 'en-GB', {
    dateStyle: 'short',
    timeStyle: 'medium',
    timeZone: 'Europe/Rome',
  }).format(date);
  return { iso: date.toISOString(), text };
}

function pair(figures: DurationFigures, locale: Locale): string {
  return `${duration(figures.median, locale)} / ${duration(figures.p90, locale)}`;
}

/** A duration as people read it: the two largest units. */
export function duration(seconds: number | null, locale: Locale): string {
  if (seconds === null) return '—';
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return translate(locale, 'duration.days', { d, h });
  if (h > 0) return translate(locale, 'duration.hours', { h, m });
  if (m > 0) return translate(locale, 'duration.minutes', { m });
  return translate(locale, 'duration.seconds', { s: seconds });
}
