import { Injectable } from '@nestjs/common';
import type { Principal } from '../access/principal.js';
import type { Locale } from '../i18n/locale.js';
import type { JsonObject } from './process-instance.entity.js';
import type { Task } from './task.entity.js';

/** What a person is about to do with a task: take it in charge, or complete it with this (validated) data. */
export type TaskAction = { kind: 'claim' } | { kind: 'complete'; data: JsonObject };

/** Throws a problem when `principal` may not do `action` on `task` for a reason of the task's own domain; resolves otherwise. */
export type TaskGuard = (task: Task, principal: Principal, action: TaskAction, locale: Locale) => Promise<void>;

/**
 * Rules a domain adds to who may work a task beyond the access model (a campaign's author may not approve it):
 * the module that starts the process knows them, so it plugs them in here, like TaskLinks and TaskForms.
 */
@Injectable()
export class TaskGuards {
  private readonly guards: TaskGuard[] = [];

  use(guard: TaskGuard): void {
    this.guards.push(guard);
  }

  async check(task: Task, principal: Principal, action: TaskAction, locale: Locale): Promise<void> {
    for (const guard of this.guards) await guard(task, principal, action, locale);
  }
}
