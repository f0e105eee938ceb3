import { Body, Controller, Get, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequireAccess } from '../access/require-access.js';
import { ProblemException, type ProblemType } from '../api/problem.js';
import { SignedInGuard } from '../identity/auth.guards.js';
import type { Locale } from '../i18n/locale.js';
import { translate, type MessageKey } from '../i18n/translate.js';
import { completionData, FREE_PAIRS } from './task-form.js';
import { TaskInbox } from './task-inbox.js';
import { INBOX_TABS, TaskInboxPage, type InboxTab } from './task-inbox-page.js';

/**
 * How often the events stream re-reads the counts. Tasks are created inside the process runtime's
 * step (another slice owns it), so rather than publishing from every place that changes tasks, the
 * stream polls one grouped COUNT and only sends when a number changed.
 */
const POLL_MS = 5000;

const NOTICES: Record<string, MessageKey> = { claimed: 'tasks.claimed', released: 'tasks.released', completed: 'tasks.completedNotice' };
const ERRORS: Partial<Record<ProblemType, MessageKey>> = {
  conflict: 'tasks.error.conflict',
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
  ) {}

  @Get()
  @RequireAccess('task', 'see')
  async list(@Req() req: Request, @Res() res: Response, @Query() query: Record<string, unknown>): Promise<void> {
    const locale = req.locale!;
    const tab: InboxTab = INBOX_TABS.find((t) => t === query.tab) ?? 'open';
    const counts = await this.page.counts(req.principal!);
    res.render('tasks', {
      title: translate(locale, 'tasks.title'),
      pageScript: 'task-inbox.js',
      tab,
      tabs: INBOX_TABS.map((key) => ({ key, label: translate(locale, `tasks.tab.${key}`), count: counts[key], current: key === tab })),
      rows: await this.page.list(req.principal!, tab, locale),
      emptyText: translate(locale, `tasks.empty.${tab}`),
      ...messages(locale, query),
    });
  }

  /** Server-Sent Events: `inbox` with the tab counts, at once and whenever they change. */
  @Get('events')
  @RequireAccess('task', 'see')
  async events(@Req() req: Request, @Res() res: Response): Promise<void> {
    const principal = req.principal!;
    res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.flushHeaders();
    let last = '';
    let closed = false;
    const send = async () => {
      const counts = JSON.stringify(await this.page.counts(principal));
      if (closed || counts === last) return;
      last = counts;
      res.write(`event: inbox\ndata: ${counts}\n\n`);
    };
    // The timer is created inside the request, so its callbacks keep the request's tenant context.
    const timer = setInterval(() => void send().catch(() => res.end()), POLL_MS);
    req.on('close', () => {
      closed = true;
      clearInterval(timer);
    });
    await send();
  }

  @Get(':id')
  @RequireAccess('task', 'see')
  async detail(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Query() query: Record<string, unknown>): Promise<void> {
    const locale = req.locale!;
    const task = await this.page.detail(req.principal!, id, locale);
    res.render('task', { title: task.name, task, pairs: Array.from({ length: FREE_PAIRS }, (_, i) => i + 1), ...messages(locale, query) });
  }

  @Post(':id/claim')
  @RequireAccess('task', 'act')
  claim(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    return this.act(res, id, 'claimed', () => this.inbox.claim(req.principal!, id));
  }

  @Post(':id/release')
  @RequireAccess('task', 'act')
  release(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    return this.act(res, id, 'released', () => this.inbox.release(req.principal!, id));
  }

  @Post(':id/complete')
  @RequireAccess('task', 'act')
  complete(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Body() body: unknown): Promise<void> {
    return this.act(res, id, 'completed', async () => {
      const data = completionData(body);
      if (!data) throw new ProblemException(400, 'validation');
      await this.inbox.complete(req.principal!, id, data);
    });
  }

  /** Runs one action; a refusal the person can understand (taken by someone else, not theirs) is shown on the page, not as an error page. */
  private async act(res: Response, id: string, done: string, work: () => Promise<unknown>): Promise<void> {
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
}

function messages(locale: Locale, query: Record<string, unknown>): { notice?: string; errors?: string[] } {
  const notice = typeof query.done === 'string' ? NOTICES[query.done] : undefined;
  const error = typeof query.error === 'string' ? ERRORS[query.error as ProblemType] : undefined;
  return {
    ...(notice ? { notice: translate(locale, notice) } : {}),
    ...(error ? { errors: [translate(locale, error)] } : {}),
  };
}
