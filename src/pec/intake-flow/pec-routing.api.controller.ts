import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { RequireAccess } from '../../access/require-access.js';
import { problemSchema } from '../../api/problem.schema.js';
import { openApiSchema, parseBody } from '../../api/zod-body.js';
import { BearerGuard } from '../../identity/auth.guards.js';
import { PecRouting, type RoutingVerdict } from './pec-routing.js';
import { routingRuleSchema, type PecIntakeSettings, type WorkspaceRoutingRule } from './routing-rules.js';
import { WorkspaceRoutingRules } from './workspace-routing-rules.js';

// A rule as the API answers it (the input schema transforms, which OpenAPI cannot show).
const ruleView = z.object({
  name: z.string(),
  mailbox: z.string().optional(),
  sender: z.string().optional(),
  subjectContains: z.string().optional(),
  subjectMatches: z.string().optional(),
  office: z.string(),
});
const workspaceRuleView = ruleView.extend({ id: z.string() });

const settingsView = z.object({
  takeChargeWithin: z.string(),
  fallbackOffice: z.string().optional(),
  workspaceRules: z.array(workspaceRuleView).describe('edited in the web shell or this API; tried first, in this order'),
  rules: z.array(ruleView).describe('from the tenant file; tried after workspaceRules'),
  /** Where `rules`, the fallback and the limit are edited: the tenant's file (tenants/<slug>.yaml, `pecIntake:`). */
  source: z.literal('tenant-file'),
});

// The rule and, on creation, where it goes among the workspace's rules (1-based; the end when absent).
const ruleBody = z.object({ rule: routingRuleSchema, position: z.number().int().min(1).optional() });
const ruleBodyDoc = z.object({ rule: ruleView, position: z.number().int().min(1).optional() });
const moveBody = z.strictObject({ position: z.number().int().min(1) });

const testBody = z.strictObject({
  mailboxId: z.uuid().optional(),
  mailboxAddress: z.string().max(320).optional(),
  sender: z.string().max(320).optional(),
  subject: z.string().max(2000).optional(),
});

const testAnswer = z.object({
  office: z.string().nullable().describe('the office’s path; null when nothing names an existing office (an incident)'),
  routedBy: z.enum(['rule', 'mailbox', 'fallback']).nullable(),
  rule: z.object({ name: z.string(), position: z.number() }).nullable(),
  problem: z.string().nullable().describe('why no office: the configuration problem an admin has to fix'),
});

@ApiTags('pec intake')
@ApiBearerAuth()
@Controller('api/v1/pec-routing-rules')
@UseGuards(BearerGuard)
export class PecRoutingApiController {
  constructor(
    private readonly routing: PecRouting,
    private readonly workspaceRules: WorkspaceRoutingRules,
  ) {}

  @Get()
  @RequireAccess('workspace-policy', 'see')
  @ApiOperation({
    summary:
      'How incoming PEC are routed to offices: the workspace’s rules, then the tenant file’s, the fallback office, the take-in-charge limit',
  })
  @ApiResponse({ status: 200, schema: openApiSchema(settingsView) })
  async settings(): Promise<PecIntakeSettings & { workspaceRules: WorkspaceRoutingRule[]; source: 'tenant-file' }> {
    return { ...(await this.routing.settings()), workspaceRules: await this.workspaceRules.list(), source: 'tenant-file' };
  }

  @Post()
  @RequireAccess('workspace-policy', 'administer')
  @ApiOperation({ summary: 'Add a routing rule of the workspace (`{ rule, position? }`); logged in the activity log' })
  @ApiBody({ schema: openApiSchema(ruleBodyDoc) })
  @ApiResponse({ status: 201, schema: openApiSchema(workspaceRuleView) })
  @ApiResponse({ status: 400, schema: problemSchema })
  create(@Req() req: Request, @Body() body: unknown): Promise<WorkspaceRoutingRule> {
    const input = parseBody(ruleBody, body);
    return this.workspaceRules.create(input.rule, req.user!, input.position);
  }

  @Put(':id')
  @RequireAccess('workspace-policy', 'administer')
  @ApiOperation({ summary: 'Change a routing rule of the workspace (`{ rule }`; its place stays)' })
  @ApiBody({ schema: openApiSchema(ruleBodyDoc) })
  @ApiResponse({ status: 200, schema: openApiSchema(workspaceRuleView) })
  @ApiResponse({ status: 404, schema: problemSchema })
  async update(@Req() req: Request, @Param('id') id: string, @Body() body: unknown): Promise<WorkspaceRoutingRule> {
    // Looked up before the body is read: another workspace's id is a 404 whatever is sent.
    await this.workspaceRules.get(id);
    return this.workspaceRules.update(id, parseBody(ruleBody, body).rule, req.user!);
  }

  @Post(':id/move')
  @HttpCode(200)
  @RequireAccess('workspace-policy', 'administer')
  @ApiOperation({ summary: 'Give a routing rule of the workspace another priority: its new 1-based position' })
  @ApiBody({ schema: openApiSchema(moveBody) })
  @ApiResponse({ status: 200, schema: openApiSchema(z.object({ workspaceRules: z.array(workspaceRuleView) })) })
  @ApiResponse({ status: 404, schema: problemSchema })
  async move(@Req() req: Request, @Param('id') id: string, @Body() body: unknown): Promise<{ workspaceRules: WorkspaceRoutingRule[] }> {
    await this.workspaceRules.get(id);
    return { workspaceRules: await this.workspaceRules.move(id, parseBody(moveBody, body).position, req.user!) };
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireAccess('workspace-policy', 'administer')
  @ApiOperation({ summary: 'Remove a routing rule of the workspace' })
  @ApiResponse({ status: 404, schema: problemSchema })
  async remove(@Req() req: Request, @Param('id') id: string): Promise<void> {
    await this.workspaceRules.remove(id, req.user!);
  }

  @Post('test')
  @HttpCode(200)
  @RequireAccess('workspace-policy', 'see')
  @ApiOperation({ summary: 'Which office would get a message with this mailbox, sender and subject (nothing is started)' })
  @ApiBody({ schema: openApiSchema(testBody) })
  @ApiResponse({ status: 200, schema: openApiSchema(testAnswer) })
  @ApiResponse({ status: 400, schema: problemSchema })
  test(@Body() body: unknown): Promise<RoutingVerdict> {
    const input = parseBody(testBody, body);
    const message = { mailboxAddress: input.mailboxAddress ?? null, sender: input.sender ?? null, subject: input.subject ?? null };
    return this.routing.verdict(message, input.mailboxId ?? null);
  }
}
