import { Body, Controller, Get, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequireAccess } from '../access/require-access.js';
import { ProblemException, type ProblemType } from '../api/problem.js';
import { SignedInGuard } from '../identity/auth.guards.js';
import type { Locale } from '../i18n/locale.js';
import { translate, type MessageKey } from '../i18n/translate.js';
import { streamPolledEvents } from '../web/polled-events.js';
import { ProcessPages } from './process-pages.js';
import { completionData, FREE_PAIRS } from './task-form.js';
import { TaskForms } from './task-forms.js';
import { TaskInbox, type TaskFilter } from './task-inbox.js';
import { INBOX_TABS, TaskInboxPage, type InboxTab } from './task-inbox-page.js';

/**
 * How often the events stream re-reads the counts. Tasks are created inside the process runtime's
 * step (another slice owns it), so rather than publishing from every place that changes tasks, the
 * stream polls one grouped COUNT and only sends when a number changed.
 */
const POLL_MS = 5000;

const NOTICES: Record<string, MessageKey> = {
  claimed: 'tasks.claimed',
  released: 'tasks.released',
  completed: 'tasks.completedNotice',
  delegated: 'tasks.delegated',
  annotated: 'tasks.annotated',
  attached: 'tasks.attached',
};
const ERRORS: Partial<Record<ProblemType, MessageKey>> = {
  conflict: 'tasks.error.conflict',
  'too-large': 'tasks.error.tooLarge',
  forbidden: 'tasks.error.forbidden',
  'not-found': 'tasks.error.notFound',
  validation: 'tasks.error.validation',
};

/** The task inbox (Attività) for people: the same TaskInbox as the API, as pages with claim/release/complete forms. */
@ApiExcludeController()
@Controller('tasks')
@UseGuards(SignedInGuard)
export class TaskPagesController {
  constructor(
    private readonly inbox: TaskInbox,
    private readonly page: TaskInboxPage,
    private readonly forms: TaskForms,
    private readonly processPages: ProcessPages,
  ) {}

  @Get()
  @RequireAccess('task', 'see')
  async list(@Req() req: Request, @Res() res: Response, @Query() query: Record<string, unknown>): Promise<void> {
    const locale = req.locale!;
    const tab: InboxTab = INBOX_TABS.find((t) => t === query.tab) ?? 'open';
    const counts = await this.page.counts(req.principal!);
    const filter = inboxFilter(query);
    res.render('tasks', {
      title: translate(locale, 'tasks.title'),
      pageScript: 'task-inbox.js',
      tab,
      tabs: INBOX_TABS.map((key) => ({ key, label: translate(locale, `tasks.tab.${key}`), count: counts[key], current: key === tab })),
      rows: await this.page.list(req.principal!, tab, locale, filter),
      filter: { ...filter, minPriority: filter.minPriority ?? '' },
      escalatedCount: counts.escalated,
      processes: (await this.page.processes()).map((p) => ({ ...p, selected: p.key === filter.process })),
      emptyText: translate(locale, `tasks.empty.${tab}`),
      ...messages(locale, query),
    });
  }

  /** Server-Sent Events: `inbox` with the tab counts, at once and whenever they change. */
  @Get('events')
  @RequireAccess('task', 'see')
  async events(@Req() req: Request, @Res() res: Response): Promise<void> {
    const principal = req.principal!;
    await streamPolledEvents(req, res, 'inbox', POLL_MS, () => this.page.counts(principal));
  }

  @Get(':id')
  @RequireAccess('task', 'see')
  async detail(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Query() query: Record<string, unknown>): Promise<void> {
    const locale = req.locale!;
    await this.render(req, res, id, messages(locale, query));
  }

  /** The task page; a task with a form shows the form's fields instead of the free name/value pairs. */
  private async render(
    req: Request,
    res: Response,
    id: string,
    shown: { notice?: string; errors?: string[] },
    status = 200,
  ): Promise<void> {
    const locale = req.locale!;
    const task = await this.page.detail(req.principal!, id, locale);
    const form = await this.forms.describe(await this.inbox.row(req.principal!, id), locale);
    const history = await this.processPages.taskHistory(req.principal!, id, locale);
    res.status(status).render('task', {
      title: task.name,
      task,
      form,
      history,
      pairs: Array.from({ length: FREE_PAIRS }, (_, i) => i + 1),
      ...shown,
    });
  }

  @Post(':id/claim')
  @RequireAccess('task', 'act')
  claim(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    return taskAction(res, id, 'claimed', () => this.inbox.claim(req.principal!, id, req.locale!));
  }

  @Post(':id/release')
  @RequireAccess('task', 'act')
  release(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    return taskAction(res, id, 'released', () => this.inbox.release(req.principal!, id));
  }

  @Post(':id/complete')
  @RequireAccess('task', 'act')
  async complete(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Body() body: unknown): Promise<void> {
    try {
      const data = completionData(body);
      if (!data) throw new ProblemException(400, 'validation');
      await this.inbox.complete(req.principal!, id, data, { locale: req.locale!, input: 'html' });
    } catch (error) {
      // The form's field errors are shown on the task page, next to the form, not as a bare "invalid data".
      if (error instanceof ProblemException && error.problemType === 'validation' && error.extras.errors?.length) {
        const form = await this.forms.describe(await this.inbox.row(req.principal!, id), req.locale!);
        const labels = new Map((form?.fields ?? []).map((field) => [field.name, field.label]));
        const errors = (error.extras.errors as { field?: string; message: string }[]).map((e) =>
          e.field ? `${labels.get(e.field) ?? e.field}: ${e.message}` : e.message,
        );
        return this.render(req, res, id, { errors }, 422);
      }
      return taskAction(res, id, 'completed', () => Promise.reject(error instanceof Error ? error : new Error(String(error))));
    }
    res.redirect(303, '/tasks?done=completed');
  }
}

/** Runs one action; a refusal the person can understand (taken by someone else, not theirs) is shown on the page, not as an error page. */
export async function taskAction(res: Response, id: string, done: string, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof ProblemException && ERRORS[error.problemType]) {
      const back = error.problemType === 'not-found' ? '/tasks' : `/tasks/${id}`;
      return res.redirect(303, `${back}?error=${error.problemType}`);
    }
    throw error;
  }
  res.redirect(303, done === 'completed' ? '/tasks?done=completed' : `/tasks/${id}?done=${done}`);
}

/** The inbox filter form's fields (empty ones are left out). */
function inboxFilter(query: Record<string, unknown>): TaskFilter {
  const text = typeof query.q === 'string' ? query.q.trim().slice(0, 200) : '';
  const process = typeof query.process === 'string' ? query.process.slice(0, 200) : '';
  const minPriority = typeof query.minPriority === 'string' && /^\d{1,9}$/.test(query.minPriority) ? Number(query.minPriority) : undefined;
  return {
    ...(text ? { text } : {}),
    ...(process ? { process } : {}),
    ...(query.escalated === '1' ? { escalated: true } : {}),
    ...(query.overdue === '1' ? { overdue: true } : {}),
    ...(minPriority !== undefined ? { minPriority } : {}),
  };
}

function messages(locale: Locale, query: Record<string, unknown>): { notice?: string; errors?: string[] } {
  const notice = typeof query.done === 'string' ? NOTICES[query.done] : undefined;
  const error = typeof query.error === 'string' ? ERRORS[query.error as ProblemType] : undefined;
  return {
    ...(notice ? { notice: translate(locale, notice) } : {}),
    ...(error ? { errors: [translate(locale, error)] } : {}),
  };
}
