import { Body, Controller, Get, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Visibility } from '../access/visibility.js';
import { ProblemException, type FieldError } from '../api/problem.js';
import { SignedInGuard } from '../identity/auth.guards.js';
import { translate } from '../i18n/translate.js';
import { fieldViews } from './form-views.js';
import { RecordPageViews } from './record-page-views.js';
import { coerceFormInput } from './record-schema.js';
import { formFields, SolutionCatalogue, type EntityRef } from './solution-catalogue.js';
import { SolutionRecords } from './solution-records.js';

/** Pages of model entities: list (columns, filters, sort), new-record form and detail, all drawn from the model. */
@ApiExcludeController()
@Controller('solutions/:solution/:entity')
@UseGuards(SignedInGuard)
export class SolutionPagesController {
  constructor(
    private readonly catalogue: SolutionCatalogue,
    private readonly records: SolutionRecords,
    private readonly views: RecordPageViews,
    private readonly visibility: Visibility,
  ) {}

  @Get()
  async list(
    @Req() req: Request,
    @Res() res: Response,
    @Param('solution') solution: string,
    @Param('entity') entity: string,
    @Query() query: Record<string, unknown>,
  ) {
    const locale = req.locale!;
    const ref = await this.seeable(req, solution, entity);
    const filters: Record<string, string> = {};
    for (const name of ref.model.list.filters) if (typeof query[name] === 'string' && query[name] !== '') filters[name] = query[name];
    const sort = typeof query.sort === 'string' ? query.sort : undefined;
    const direction = query.direction === 'asc' || query.direction === 'desc' ? query.direction : undefined;
    const page = await this.records.list(req.principal!, ref, {
      filters,
      page: Math.max(1, Number(query.page) || 1),
      ...(sort ? { sort } : {}),
      ...(direction ? { direction } : {}),
    });
    const table = await this.views.list(ref, page, locale);
    const base = `/solutions/${solution}/${entity}`;
    const current = sort ?? ref.model.list.sort.field;
    const currentDirection = direction ?? (current === ref.model.list.sort.field ? ref.model.list.sort.direction : 'asc');
    const keep = new URLSearchParams(filters);
    const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
    const link = (params: Record<string, string>) =>
      `${base}?${new URLSearchParams({ ...Object.fromEntries(keep), ...params }).toString()}`;
    res.render('solution-list', {
      title: ref.model.plural[locale],
      base,
      heading: ref.model.plural[locale],
      solutionLabel: ref.solution.label[locale],
      canCreate: await this.visibility.allows(req.principal!, ref.resource, 'act'),
      filters: this.views.filterViews(ref, filters, locale),
      columns: table.columns.map((column) => {
        const sorted = column.name === current;
        const next = sorted && currentDirection === 'asc' ? 'desc' : 'asc';
        return {
          ...column,
          href: link({ sort: column.name, direction: next }),
          sorted: sorted ? (currentDirection === 'asc' ? 'ascending' : 'descending') : null,
        };
      }),
      rows: table.rows.map((row) => ({ ...row, href: `${base}/${row.id}` })),
      total: page.total,
      previous: page.page > 1 ? link({ sort: current, direction: currentDirection, page: String(page.page - 1) }) : null,
      next: page.page < pages ? link({ sort: current, direction: currentDirection, page: String(page.page + 1) }) : null,
      pageText: translate(locale, 'solutions.page', { page: page.page, pages }),
    });
  }

  @Get('new')
  async newForm(@Req() req: Request, @Res() res: Response, @Param('solution') solution: string, @Param('entity') entity: string) {
    const ref = await this.seeable(req, solution, entity);
    // The model's constant defaults are preselected (a required choice with a default needs no click).
    const defaults = Object.fromEntries(
      Object.entries(ref.model.fields).flatMap(([name, field]) =>
        field.default !== undefined && field.type !== 'user' ? [[name, field.default]] : [],
      ),
    );
    this.renderForm(req, res, ref, defaults, []);
  }

  @Post()
  async create(
    @Req() req: Request,
    @Res() res: Response,
    @Param('solution') solution: string,
    @Param('entity') entity: string,
    @Body() body: unknown,
  ) {
    const ref = await this.seeable(req, solution, entity);
    const form = ref.solution.forms[ref.model.create]!;
    const input = coerceFormInput(formFields(form), (body ?? {}) as Record<string, unknown>);
    try {
      const record = await this.records.create(req.principal!, ref, input, req.locale!);
      res.redirect(303, `/solutions/${solution}/${entity}/${record.id}?done=created`);
    } catch (error) {
      if (!(error instanceof ProblemException) || error.problemType !== 'validation') throw error;
      this.renderForm(req, res, ref, input, (error.extras.errors ?? []) as FieldError[], 422);
    }
  }

  @Get(':id')
  async detail(
    @Req() req: Request,
    @Res() res: Response,
    @Param('solution') solution: string,
    @Param('entity') entity: string,
    @Param('id') id: string,
    @Query('done') done?: string,
  ) {
    const locale = req.locale!;
    const ref = await this.seeable(req, solution, entity);
    const record = await this.records.get(req.principal!, ref, id);
    const view = await this.views.detail(req.principal!, ref, record, locale);
    const mayAct = await this.visibility.allows(req.principal!, ref.resource, 'act');
    res.render('solution-record', {
      ...view,
      base: `/solutions/${solution}/${entity}`,
      plural: ref.model.plural[locale],
      record,
      // An action starts a process: offered while the record has none.
      actions:
        mayAct && !record.processInstanceId
          ? Object.entries(ref.model.actions).map(([key, action]) => ({ key, label: action.label[locale] }))
          : [],
      notice: done === 'created' || done === 'action' ? translate(locale, `solutions.done.${done}`) : undefined,
    });
  }

  @Post(':id/actions/:action')
  async action(
    @Req() req: Request,
    @Res() res: Response,
    @Param('solution') solution: string,
    @Param('entity') entity: string,
    @Param('id') id: string,
    @Param('action') action: string,
  ) {
    const ref = await this.seeable(req, solution, entity);
    await this.records.runAction(req.principal!, ref, id, action, req.locale!);
    res.redirect(303, `/solutions/${solution}/${entity}/${id}?done=action`);
  }

  /** The entity when the workspace has its solution and the user may see some of its records (404/403 otherwise). */
  private async seeable(req: Request, solution: string, entity: string): Promise<EntityRef> {
    const ref = await this.catalogue.entity(solution, entity);
    if (!(await this.visibility.allows(req.principal!, ref.resource, 'see'))) throw new ProblemException(403, 'forbidden');
    return ref;
  }

  private renderForm(req: Request, res: Response, ref: EntityRef, values: Record<string, unknown>, errors: FieldError[], status = 200) {
    const locale = req.locale!;
    const form = ref.solution.forms[ref.model.create]!;
    const fields = formFields(form);
    res.status(status).render('solution-form', {
      title: form.label[locale],
      heading: form.label[locale],
      base: `/solutions/${ref.solution.key}/${ref.key}`,
      plural: ref.model.plural[locale],
      fields: fieldViews(fields, values, locale),
      errors: errors.map((error) => `${fields[error.field]?.label[locale] ?? error.field}: ${error.message}`),
    });
  }
}
