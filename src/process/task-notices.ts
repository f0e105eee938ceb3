import { Inject, Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import { TenantContext } from '../db/tenant-context.js';
import { UserRepository } from '../identity/user.repository.js';
import type { Locale } from '../i18n/locale.js';
import { translate, type MessageKey } from '../i18n/translate.js';
import { Mailer } from '../mail/mailer.js';
import type { Task } from './task.entity.js';

type Notice = 'delegated' | 'escalated';

/**
 * The e-mails task work sends (a task handed to someone, a task escalated), each in its recipient's
 * language, through the queued Mailer: a passing SMTP outage delays them, the action itself succeeds.
 */
@Injectable()
export class TaskNotices {
  constructor(
    private readonly users: UserRepository,
    private readonly mailer: Mailer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Mails each active user among `userIds` about the task; returns the ids actually written to. */
  /**
   * `key` names this notice for good (an escalation's id): sending it again after a crash queues
   * nothing more for a user who already has it queued or sent (Mailer's job ids).
   */
  async send(notice: Notice, task: Task, userIds: string[], params: Record<string, string> = {}, key?: string): Promise<string[]> {
    if (userIds.length === 0) return [];
    const recipients = await this.users.find({ id: In(userIds), blocked: false });
    const link = `${this.config.PUBLIC_SCHEME}://${TenantContext.current().slug}.${this.config.BASE_DOMAIN}/tasks/${task.id}`;
    for (const user of recipients) {
      const locale: Locale = user.locale ?? 'it';
      const values = { ...params, task: task.name ?? task.elementId, link };
      await this.mailer.send(
        {
          to: user.email,
          subject: translate(locale, `tasks.mail.${notice}.subject` as MessageKey, values),
          text: translate(locale, `tasks.mail.${notice}.body` as MessageKey, values),
        },
        key === undefined ? {} : { id: `${notice}:${key}:${user.id}` },
      );
    }
    return recipients.map((user) => user.id).sort();
  }
}
