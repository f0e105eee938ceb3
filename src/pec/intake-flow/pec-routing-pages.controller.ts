import { Body, Controller, Get, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { OrganisationService } from '../../access/organisation.service.js';
import { RequireAccess } from '../../access/require-access.js';
import { Visibility } from '../../access/visibility.js';
import { fieldErrors } from '../../api/field-errors.js';
import { ProblemException } from '../../api/problem.js';
import { SignedInGuard } from '../../identity/auth.guards.js';
import type { Locale } from '../../i18n/locale.js';
import { translate, type MessageKey } from '../../i18n/translate.js';
import { PecRouting, type RoutingVerdict } from './pec-routing.js';
import { RULE_FIELDS, ruleFormValues, ruleInputFromForm, type RuleFormValues } from './routing-rule-form.js';
import { routingRuleSchema, type RoutingRule } from './routing-rules.js';
import { WorkspaceRoutingRules } from './workspace-routing-rules.js';

type TestValues = { mailboxAddress?: string; sender?: string; subject?: string };

/**
 * The PEC routing page (docs/decisions/0033): the workspace's rules (edited here: create, change,
 * move, remove), the tenant file's after them (read only: they are edited in the file), the fallback,
 * and a test of "which office would get this message?". The same services as the API.
 */
@ApiExcludeController()
@Controller('admin/pec-routing')
@UseGuards(SignedInGuard)
export class PecRoutingPagesController {
  constructor(
    private readonly routing: PecRouting,
    private readonly rules: WorkspaceRoutingRules,
    private readonly organisation: OrganisationService,
    private readonly visibility: Visibility,
  ) {}

  @Get()
  @RequireAccess('workspace-policy', 'see')
  async page(@Req() req: Request, @Res() res: Response, @Query('saved') saved?: string): Promise<void> {
    await this.render(req, res, { notice: saved ? translate(req.locale!, 'pecRouting.saved') : undefined });
  }

  /** The page with the test's answer; htmx swaps in only the answer (hx-select), without JS the page reloads. */
  @Post('test')
  @RequireAccess('workspace-policy', 'see')
  async test(@Req() req: Request, @Res() res: Response, @Body() body: Record<string, unknown>): Promise<void> {
    const values: TestValues = {
      mailboxAddress: text(body.mailboxAddress),
      sender: text(body.sender),
      subject: text(body.subject),
    };
    const verdict = await this.routing.verdict(
      { mailboxAddress: values.mailboxAddress || null, sender: values.sender || null, subject: values.subject || null },
      null,
    );
    await this.render(req, res, { test: values, verdict });
  }

  @Get('new')
  @RequireAccess('workspace-policy', 'administer')
  async newRule(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.renderForm(req, res, undefined, {});
  }

  @Post('new')
  @RequireAccess('workspace-policy', 'administer')
  async create(@Req() req: Request, @Res() res: Response, @Body() body: Record<string, unknown>): Promise<void> {
    const position = Number(text(body.position)) || undefined;
    await this.saving(req, res, undefined, body, (rule) => this.rules.create(rule, req.user!, position));
  }

  @Get(':id')
  @RequireAccess('workspace-policy', 'administer')
  async edit(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    await this.renderForm(req, res, id, ruleFormValues(await this.rules.get(id)));
  }

  @Post(':id')
  @RequireAccess('workspace-policy', 'administer')
  async save(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Body() body: Record<string, unknown>): Promise<void> {
    await this.saving(req, res, id, body, (rule) => this.rules.update(id, rule, req.user!));
  }

  /** Up or down one place: the rule's priority among the workspace's rules. */
  @Post(':id/move')
  @RequireAccess('workspace-policy', 'administer')
  async move(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Body() body: Record<string, unknown>): Promise<void> {
    const position = Number(text(body.position));
    if (!Number.isInteger(position) || position < 1) throw new ProblemException(400, 'validation');
    await this.rules.move(id, position, req.user!);
    res.redirect(303, '/admin/pec-routing?saved=1');
  }

  @Post(':id/remove')
  @RequireAccess('workspace-policy', 'administer')
  async remove(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    await this.rules.remove(id, req.user!);
    res.redirect(303, '/admin/pec-routing?saved=1');
  }

  private async saving(
    req: Request,
    res: Response,
    id: string | undefined,
    body: Record<string, unknown>,
    store: (rule: RoutingRule) => Promise<unknown>,
  ): Promise<void> {
    const locale = req.locale!;
    const input = ruleInputFromForm(body);
    const parsed = routingRuleSchema.safeParse(input);
    if (!parsed.success) {
      const described = fieldErrors(parsed.error.issues, input, locale);
      // A rule with no condition fails as a whole; a pattern's own problem (regexProblem) is said as is.
      const errors = parsed.error.issues.map((issue, index) =>
        issue.path.length === 0
          ? translate(locale, 'pecRouting.conditionsHint')
          : `${fieldLabel(locale, described[index]!.field)}: ${described[index]!.message}${issue.code === 'custom' ? ` (${issue.message})` : ''}`,
      );
      await this.renderForm(req, res, id, { ...input, position: text(body.position) }, errors);
      return;
    }
    await store(parsed.data);
    res.redirect(303, '/admin/pec-routing?saved=1');
  }

  private async render(
    req: Request,
    res: Response,
    extras: { notice?: string | undefined; test?: TestValues; verdict?: RoutingVerdict },
  ): Promise<void> {
    const locale = req.locale!;
    const settings = await this.routing.settings();
    const workspaceRules = await this.rules.list();
    const canAdminister = await this.visibility.allows(req.principal!, 'workspace-policy', 'administer');
    res.render('admin-pec-routing', {
      title: translate(locale, 'pecRouting.title'),
      canAdminister,
      workspaceRules: workspaceRules.map((rule, index) => ({
        ...rule,
        position: index + 1,
        conditions: conditions(locale, rule),
        up: index > 0 ? index : null,
        down: index < workspaceRules.length - 1 ? index + 2 : null,
      })),
      fileRules: settings.rules.map((rule, index) => ({
        ...rule,
        position: workspaceRules.length + index + 1,
        conditions: conditions(locale, rule),
      })),
      fallbackOffice: settings.fallbackOffice,
      takeChargeWithin: settings.takeChargeWithin,
      test: extras.test ?? {},
      verdict: extras.verdict && verdictView(locale, extras.verdict),
      notice: extras.notice,
    });
  }

  private async renderForm(req: Request, res: Response, id: string | undefined, values: RuleFormValues, errors?: string[]): Promise<void> {
    const locale = req.locale!;
    const tree = await this.organisation.tree();
    res.status(errors ? 422 : 200).render('admin-pec-routing-rule', {
      title: translate(locale, id ? 'pecRouting.edit' : 'pecRouting.new'),
      id,
      values,
      offices: tree.ordered().map(({ path }) => ({ path, selected: path === values.office })),
      errors,
    });
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function fieldLabel(locale: Locale, field: string): string {
  return (RULE_FIELDS as readonly string[]).includes(field) ? translate(locale, `pecRouting.field.${field}` as MessageKey) : field;
}

/** What a rule asks, in words: every condition given must hold. */
function conditions(locale: Locale, rule: RoutingRule): string[] {
  return (['mailbox', 'sender', 'subjectContains', 'subjectMatches'] as const).flatMap((field) =>
    rule[field] ? [`${translate(locale, `pecRouting.field.${field}`)}: ${rule[field]}`] : [],
  );
}

function verdictView(locale: Locale, verdict: RoutingVerdict) {
  return {
    ...verdict,
    text: verdict.office
      ? translate(locale, `pecRouting.verdict.${verdict.routedBy!}`, {
          office: verdict.office,
          rule: verdict.rule?.name ?? '',
          position: String(verdict.rule?.position ?? ''),
        })
      : translate(locale, 'pecRouting.verdict.none', { problem: verdict.problem ?? '' }),
  };
}
