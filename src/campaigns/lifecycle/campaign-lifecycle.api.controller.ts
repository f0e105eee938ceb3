import { Body, Controller, Get, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { RequireAccess } from '../../access/require-access.js';
import { problemSchema } from '../../api/problem.schema.js';
import { openApiSchema } from '../../api/zod-body.js';
import { BearerGuard } from '../../identity/auth.guards.js';
import { CAMPAIGN_STATUSES } from '../campaign-states.js';
import { CampaignLifecycle, startSchema, type ApprovalView, type StartedCampaign } from './campaign-lifecycle.js';
import { LIFECYCLE_EVENTS } from './lifecycle-event.entity.js';

const eventSchema = z.object({
  event: z.enum(LIFECYCLE_EVENTS),
  level: z.number().int().nullable(),
  actor: z.object({ id: z.uuid(), name: z.string(), email: z.string() }).nullable(),
  reason: z.string().nullable().describe('a rejection’s reason, or a refused launch’s problem key (problem.beats-exhausted) or text'),
  at: z.string(),
});

/** Submitting a campaign to its approval and launch (workflows/campaigns/mass-send.bpmn), cancelling it before launch. */
@ApiTags('campaigns')
@ApiBearerAuth()
@Controller('api/v1/campaigns')
@UseGuards(BearerGuard)
export class CampaignLifecycleApiController {
  constructor(private readonly lifecycle: CampaignLifecycle) {}

  @Post(':id/start')
  @HttpCode(200)
  @RequireAccess('campaign', 'act')
  @ApiOperation({
    summary:
      'Start a draft (import done, at least one valid recipient): the mass-send process runs with business key campaign:<id>. ' +
      'With approval levels (tenants/<slug>.yaml campaigns.approval) the campaign awaits approval, its steps are tasks in /api/v1/tasks; ' +
      'otherwise it is scheduled and launched at scheduledAt (or at once).',
  })
  @ApiBody({ schema: openApiSchema(startSchema), required: false })
  @ApiResponse({
    status: 200,
    schema: openApiSchema(
      z.object({ id: z.uuid(), status: z.enum(CAMPAIGN_STATUSES), processInstanceId: z.uuid(), approvalLevels: z.number().int() }),
    ),
  })
  @ApiResponse({ status: 404, schema: problemSchema })
  @ApiResponse({
    status: 409,
    description: 'not a draft, import not done, no valid recipient, or no process deployed',
    schema: problemSchema,
  })
  @ApiResponse({ status: 422, schema: problemSchema })
  start(@Req() req: Request, @Param('id') id: string, @Body() body: unknown): Promise<StartedCampaign> {
    return this.lifecycle.start(req.principal!, id, body, req.locale!);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequireAccess('campaign', 'act')
  @ApiOperation({
    summary:
      'Cancel a campaign: awaiting approval or its scheduled time, its process ends and its open approval tasks are closed; ' +
      'sending or paused, no more sends and the beats still reserved go back',
  })
  @ApiResponse({ status: 200, schema: openApiSchema(z.object({ id: z.uuid(), status: z.literal('cancelled') })) })
  @ApiResponse({ status: 404, schema: problemSchema })
  @ApiResponse({ status: 409, description: 'the campaign is a draft, monitoring, closed or cancelled', schema: problemSchema })
  cancel(@Req() req: Request, @Param('id') id: string): Promise<{ id: string; status: string }> {
    return this.lifecycle.cancel(req.principal!, id, req.locale!);
  }

  @Get(':id/approval')
  @RequireAccess('campaign', 'see')
  @ApiOperation({ summary: 'Approval levels, the level awaited, why a campaign went back to draft, and every decision with who and when' })
  @ApiResponse({
    status: 200,
    schema: openApiSchema(
      z.object({
        id: z.uuid(),
        status: z.enum(CAMPAIGN_STATUSES),
        approvalLevels: z.number().int(),
        pendingLevel: z.number().int().nullable(),
        scheduledAt: z.string().nullable(),
        returnedBecause: eventSchema.nullable(),
        history: z.array(eventSchema),
      }),
    ),
  })
  @ApiResponse({ status: 404, schema: problemSchema })
  approval(@Req() req: Request, @Param('id') id: string): Promise<ApprovalView> {
    return this.lifecycle.approval(req.principal!, id);
  }
}
