import { Controller, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { RequireAccess } from '../../access/require-access.js';
import { actorOf } from '../../administration/user-administration.js';
import { problemSchema } from '../../api/problem.schema.js';
import { openApiSchema } from '../../api/zod-body.js';
import { BearerGuard } from '../../identity/auth.guards.js';
import { CAMPAIGN_STATUSES } from '../campaign-states.js';
import { CampaignViews } from '../campaign-views.js';
import { CampaignSending, type SendingAnswer } from './campaign-sending.js';

const answerSchema = openApiSchema(z.object({ id: z.uuid(), status: z.enum(CAMPAIGN_STATUSES) }));

/**
 * Pausing and resuming a campaign's sending; the caller must be allowed to act on the campaign. Start and cancel are
 * the lifecycle's (campaign-lifecycle.api.controller.ts): a start goes through approval, the launch comes here.
 */
@ApiTags('campaigns')
@ApiBearerAuth()
@Controller('api/v1/campaigns')
@UseGuards(BearerGuard)
export class CampaignSendingApiController {
  constructor(
    private readonly views: CampaignViews,
    private readonly sending: CampaignSending,
  ) {}

  @Post(':id/pause')
  @HttpCode(200)
  @RequireAccess('campaign', 'act')
  @ApiOperation({ summary: 'Pause sending at once (recipients already handed to the provider are not recalled)' })
  @ApiResponse({ status: 200, schema: answerSchema })
  @ApiResponse({ status: 409, description: 'not sending', schema: problemSchema })
  async pause(@Req() req: Request, @Param('id') id: string): Promise<SendingAnswer> {
    await this.views.find(req.principal!, id, 'act');
    return this.sending.pause(id, actorOf(req.principal!), req.locale!);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @RequireAccess('campaign', 'act')
  @ApiOperation({ summary: 'Resume a paused campaign from the first recipient still queued' })
  @ApiResponse({ status: 200, schema: answerSchema })
  @ApiResponse({ status: 409, description: 'not paused', schema: problemSchema })
  async resume(@Req() req: Request, @Param('id') id: string): Promise<SendingAnswer> {
    await this.views.find(req.principal!, id, 'act');
    return this.sending.resume(id, actorOf(req.principal!), req.locale!);
  }
}
