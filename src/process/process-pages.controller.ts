import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res, UploadedFile, UseGuards, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Visibility } from '../access/visibility.js';
import { RequireAccess } from '../access/require-access.js';
import { SignedInGuard } from '../identity/auth.guards.js';
import { translate } from '../i18n/translate.js';
import { plainAddress } from '../policies/ip-allowlist.js';
import type { ElementError } from '../api/problem.js';
import { describeBpmnProblems } from './bpmn-messages.js';
import { BPMN_UPLOAD_LIMIT_BYTES } from './process-definitions.api.controller.js';
import { ProcessDefinitions } from './process-definitions.js';
import { ProcessInstances } from './process-instances.js';
import { INSTANCE_STATUSES, PAGE_SIZE, ProcessPages, SLA_PERIODS, type SlaPeriod } from './process-pages.js';
import { ProcessRuntime } from './process-runtime.js';
import { StartableProcesses } from './startable-processes.js';
import { FREE_PAIRS, freePairs, isVariableName } from './task-form.js';
import { VariablesTooLarge } from './variable-limit.js';
import { dateView } from './task-inbox-page.js';

/** The process pages' own styles; the instance page adds the viewer's. */
const STYLES = ['/static/process.css'];

/** Free-text filters are kept short: they are compared for equality, never searched. */
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' && value.length <= 255 ? value.trim() : undefined;

/** The process pages: instances (list, one with its diagram and history), service levels, model deployment. */
@ApiExcludeController()
@Controller('processes')
@UseGuards(SignedInGuard)
export class ProcessPagesController {
  constructor(
    private readonly pages: ProcessPages,
    private readonly instances: ProcessInstances,
    private readonly definitions: ProcessDefinitions,
    private readonly startable: StartableProcesses,
    private readonly runtime: ProcessRuntime,
    private readonly visibility: Visibility,
  ) {}

  @Get()
  @RequireAccess('process-instance', 'see')
  async list(@Req() req: Request, @Res() res: Response, @Query() query: Record<string, unknown>): Promise<void> {
    const locale = req.locale!;
    const status = INSTANCE_STATUSES.find((s) => s === query.status);
    const offset = typeof query.offset === 'string' && /^\d{1,6}$/.test(query.offset) ? Number(query.offset) : 0;
    const variable = { varName: text(query.varName), varValue: text(query.varValue) };
    const filter = { definitionKey: text(query.definitionKey), status, businessKey: text(query.businessKey), ...variable };
    // "variable = value": a name that is not a plain identifier matches nothing, as no variable has it.
    const variables = variable.varName ? [{ name: variable.varName, value: variable.varValue ?? '' }] : [];
    const page = isVariableName(variable.varName ?? '_')
      ? await this.pages.list(req.principal!, { ...filter, variables, limit: PAGE_SIZE, offset }, locale)
      : { rows: [], more: false };
    const next = new URLSearchParams(
      Object.entries({ ...filter, offset: String(offset + PAGE_SIZE) }).filter((pair): pair is [string, string] => pair[1] !== undefined),
    );
    res.render('processes', {
      title: translate(locale, 'processes.title'),
      pageStyles: STYLES,
      filter,
      statuses: INSTANCE_STATUSES.map((key) => ({ key, label: translate(locale, `processes.status.${key}`), current: key === status })),
      rows: page.rows,
      canStart: await this.visibility.allows(req.principal!, 'process-instance', 'act'),
      next: page.more ? `/processes?${next.toString()}` : null,
    });
  }

  @Get('sla')
  @RequireAccess('process-sla', 'see')
  async sla(@Req() req: Request, @Res() res: Response, @Query('period') raw: unknown): Promise<void> {
    const locale = req.locale!;
    const period: SlaPeriod = SLA_PERIODS.find((p) => p === raw) ?? '30';
    res.render('process-sla', {
      title: translate(locale, 'sla.title'),
      pageStyles: STYLES,
      periods: SLA_PERIODS.map((key) => ({ key, label: translate(locale, `sla.period.${key}`), current: key === period })),
      rows: await this.pages.slaTable(period, locale),
    });
  }

  @Get('definitions')
  @RequireAccess('process-definition', 'administer')
  async definitionList(@Req() req: Request, @Res() res: Response, @Query() query: Record<string, unknown>): Promise<void> {
    const locale = req.locale!;
    const key = text(query.deployed);
    const version = text(query.version);
    await this.renderDefinitions(req, res, {
      notice: key && version ? translate(locale, 'definitions.deployed', { key, version }) : undefined,
    });
  }

  /** The upload form posts multipart, so its CSRF token travels in the query (see csrf.ts). */
  @Post('definitions')
  @HttpCode(200)
  @RequireAccess('process-definition', 'administer')
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: BPMN_UPLOAD_LIMIT_BYTES, files: 1 } }))
  async deploy(@Req() req: Request, @Res() res: Response, @UploadedFile() file: Express.Multer.File | undefined): Promise<void> {
    const locale = req.locale!;
    if (!file) {
      res.status(400);
      return this.renderDefinitions(req, res, { errors: [translate(locale, 'process.deploy.missing-file')] });
    }
    const principal = req.principal!;
    const outcome = await this.definitions.deploy(file.buffer, {
      actor: { id: principal.userId, email: principal.email },
      solution: null,
      file: file.originalname,
      ip: plainAddress(req.ip ?? ''),
    });
    if (!outcome.ok) {
      const problems = describeBpmnProblems(outcome.problems, locale);
      res.status(422);
      const caption = translate(locale, 'definitions.problems', { count: problems.length });
      return this.renderDefinitions(req, res, { errors: [caption], problems, problemsCaption: caption });
    }
    const [first] = outcome.processes;
    if (outcome.warnings.length > 0) {
      // Warnings must be read before the version runs, so they are shown here rather than lost in a redirect.
      const warnings = describeBpmnProblems(outcome.warnings, locale);
      return this.renderDefinitions(req, res, {
        notice: translate(locale, 'definitions.deployed', { key: first!.key, version: first!.version }),
        problems: warnings,
        problemsCaption: translate(locale, 'definitions.warnings', { count: warnings.length }),
      });
    }
    res.redirect(
      303,
      `/processes/definitions?${new URLSearchParams({ deployed: first!.key, version: String(first!.version) }).toString()}`,
    );
  }

  /** The start page: the processes a person can start by hand, with a business key and a few variables. */
  @Get('new')
  @RequireAccess('process-instance', 'act')
  async startForm(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.renderStart(req, res, {});
  }

  @Post('new')
  @HttpCode(200)
  @RequireAccess('process-instance', 'act')
  async start(@Req() req: Request, @Res() res: Response, @Body() body: Record<string, unknown>): Promise<void> {
    const locale = req.locale!;
    const form = typeof body === 'object' && body !== null ? body : {};
    const key = text(form.definitionKey);
    const businessKey = text(form.businessKey) ?? null;
    const variables = freePairs(form);
    const refuse = async (status: number, error: string) => {
      res.status(status);
      await this.renderStart(req, res, { errors: [error], form });
    };
    // Only what the page offers may be started here: not a process that waits for a message or a timer to start.
    if (!key || !(await this.startable.list()).some((definition) => definition.key === key)) {
      return refuse(422, translate(locale, 'processes.new.error.process'));
    }
    if (!variables) return refuse(422, translate(locale, 'processes.new.error.variables'));
    try {
      const started = await this.runtime.start(key, businessKey, variables, req.principal!);
      res.redirect(303, `/processes/${started.id}?started=1`);
    } catch (error) {
      if (!(error instanceof VariablesTooLarge)) throw error;
      return refuse(413, translate(locale, 'processes.new.error.tooLarge'));
    }
  }

  @Get(':id')
  @RequireAccess('process-instance', 'see')
  async instance(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Query('started') started: unknown): Promise<void> {
    const instance = await this.pages.instance(req.principal!, id, req.locale!);
    res.render('process', {
      notice: started === '1' ? translate(req.locale!, 'processes.new.started') : undefined,
      title: instance.businessKey ? `${instance.process} · ${instance.businessKey}` : instance.process,
      pageStyles: ['/static/bpmn-js/diagram-js.css', '/static/bpmn-js/bpmn-js.css', ...STYLES],
      instance,
      completed: instance.completedElements.join(' '),
      active: instance.activeElements.join(' '),
    });
  }

  /** The BPMN of the version the instance runs, for the diagram script (same visibility as the page). */
  @Get(':id/diagram')
  @RequireAccess('process-instance', 'see')
  async diagram(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    res
      .type('application/xml')
      .set('Cache-Control', 'private, no-store')
      .send(await this.instances.bpmn(req.principal!, id));
  }

  private async renderStart(req: Request, res: Response, shown: { errors?: string[]; form?: Record<string, unknown> }): Promise<void> {
    const locale = req.locale!;
    const form = shown.form ?? {};
    const chosen = text(form.definitionKey);
    res.render('process-start', {
      title: translate(locale, 'processes.new.title'),
      pageStyles: STYLES,
      errors: shown.errors,
      processes: (await this.startable.list()).map((d) => ({
        key: d.key,
        name: d.name ?? d.key,
        version: d.version,
        chosen: d.key === chosen,
      })),
      businessKey: text(form.businessKey),
      pairs: Array.from({ length: FREE_PAIRS }, (_, i) => ({ n: i + 1, name: form[`name${i + 1}`], value: form[`value${i + 1}`] })),
    });
  }

  private async renderDefinitions(
    req: Request,
    res: Response,
    messages: { notice?: string; errors?: string[]; problems?: ElementError[]; problemsCaption?: string },
  ): Promise<void> {
    const locale = req.locale!;
    const definitions = (await this.definitions.list()).map((d) => ({ ...d, deployed: dateView(d.deployedAt, locale) }));
    res.render('process-definitions', { title: translate(locale, 'definitions.title'), pageStyles: STYLES, definitions, ...messages });
  }
}
