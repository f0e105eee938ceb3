import { Body, Controller, Get, Post, Put, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiExcludeEndpoint, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequireAccess } from '../access/require-access.js';
import { problemSchema } from '../api/problem.schema.js';
import { openApiSchema, parseBody } from '../api/zod-body.js';
import { BearerGuard, SignedInGuard } from '../identity/auth.guards.js';
import { translate } from '../i18n/translate.js';
import { parseForm } from '../web/form.js';
import { plainAddress } from '../policies/ip-allowlist.js';
import { WorkspacePolicies, type EffectivePolicy } from '../policies/workspace-policies.js';
import { SECOND_FACTOR_RULES } from '../policies/workspace-policy.entity.js';
import { formToChange, policyChange, policyForm } from './policy-form.js';
import { ProblemException } from '../api/problem.js';

@ApiTags('admin: policies')
@ApiBearerAuth()
@Controller('api/v1/admin/policies')
@UseGuards(BearerGuard)
@RequireAccess('workspace-policy', 'administer')
export class PoliciesApiController {
  constructor(private readonly policies: WorkspacePolicies) {}

  @Get()
  @ApiOperation({ summary: "The workspace's access policies in force" })
  current(): Promise<EffectivePolicy> {
    return this.policies.current();
  }

  @Put()
  @ApiOperation({ summary: 'Change access policies (IP allow-list, session lengths, password length, second factor)' })
  @ApiBody({ schema: openApiSchema(policyChange) })
  @ApiResponse({ status: 422, description: 'a malformed range, or an allow-list that would lock you out', schema: problemSchema })
  update(@Req() req: Request, @Body() body: unknown): Promise<EffectivePolicy> {
    return this.policies.update(parseBody(policyChange, body), req.user!, plainAddress(req.ip ?? ''));
  }
}

@Controller('admin/policies')
@UseGuards(SignedInGuard)
@RequireAccess('workspace-policy', 'administer')
export class PoliciesPageController {
  constructor(private readonly policies: WorkspacePolicies) {}

  @Get()
  @ApiExcludeEndpoint()
  async page(@Req() req: Request, @Res() res: Response, @Query('saved') saved?: string): Promise<void> {
    this.render(req, res, await this.policies.current(), saved ? [] : undefined);
  }

  @Post()
  @ApiExcludeEndpoint()
  async save(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const form = parseForm(policyForm, body);
    try {
      if (!form.ok)
        throw new ProblemException(422, 'validation', undefined, { errors: form.fields.map((field) => ({ field, message: '' })) });
      await this.policies.update(parseBody(policyChange, formToChange(form.data)), req.user!, plainAddress(req.ip ?? ''));
      res.redirect(303, '/admin/policies?saved=1');
    } catch (error) {
      if (!(error instanceof ProblemException)) throw error;
      const problems = (error.extras.errors ?? []).map((e) => `${'field' in e ? e.field : e.elementId}: ${e.message}`);
      res.status(422);
      this.render(req, res, await this.policies.current(), problems.length > 0 ? problems : [translate(req.locale!, 'problem.validation')]);
    }
  }

  private render(req: Request, res: Response, policy: EffectivePolicy, errors?: string[]): void {
    const locale = req.locale!;
    res.render('admin-policies', {
      title: translate(locale, 'admin.policies.title'),
      policy: { ...policy, ipAllowlist: policy.ipAllowlist.join('\n') },
      yourAddress: plainAddress(req.ip ?? ''),
      rules: SECOND_FACTOR_RULES.map((rule) => ({
        rule,
        label: translate(locale, `admin.policies.secondFactor.${rule}`),
        selected: rule === policy.secondFactor,
      })),
      notice: errors && errors.length === 0 ? translate(locale, 'profile.saved') : undefined,
      errors: errors && errors.length > 0 ? errors : undefined,
    });
  }
}
