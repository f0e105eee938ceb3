import { Controller, Get, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { RequireAccess } from '../../access/require-access.js';
import { problemSchema } from '../../api/problem.schema.js';
import { openApiSchema } from '../../api/zod-body.js';
import { BearerGuard } from '../../identity/auth.guards.js';
import { RECIPIENT_STATES } from '../campaign-states.js';
import { CampaignDashboard } from './campaign-dashboard.js';
import { CampaignReceiptsZip } from './campaign-receipts-zip.js';
import { dashboardSchema, overviewSchema, recipientPageSchema, resentSchema, type RecipientPage } from './dashboard-input.js';
import { FailedResend } from './failed-resend.js';
import { RecipientList } from './recipient-list.js';

/** The icon dashboard's API (issue #7 item 7): counts and curve, drill-down, resend of the failed, receipts ZIP, manager totals. */
@ApiTags('campaigns')
@ApiBearerAuth()
@Controller('api/v1')
@UseGuards(BearerGuard)
export class CampaignDashboardApiController {
  constructor(
    private readonly dashboard: CampaignDashboard,
    private readonly list: RecipientList,
    private readonly resender: FailedResend,
    private readonly receipts: CampaignReceiptsZip,
  ) {}

  @Get('campaign-dashboard')
  @RequireAccess('campaign', 'see')
  @ApiOperation({
    summary: 'The manager view: every campaign the caller may see (the latest 200) with its recipients per state, and their totals',
  })
  @ApiResponse({ status: 200, schema: openApiSchema(overviewSchema) })
  async overview(@Req() req: Request): Promise<z.infer<typeof overviewSchema>> {
    const { totals, campaigns } = await this.dashboard.overview(req.principal!, req.locale!);
    return {
      totals,
      campaigns: campaigns.map(({ id, name, status, mailbox, counts }) => ({ id, name, status, mailbox, counts })),
    };
  }

  @Get('campaigns/:id/dashboard')
  @RequireAccess('campaign', 'see')
  @ApiOperation({
    summary:
      'One campaign’s recipients per state and its sending/delivery curve (recipients per minute by their sent_at, delivered_at and failed_at)',
  })
  @ApiResponse({ status: 200, schema: openApiSchema(dashboardSchema) })
  @ApiResponse({ status: 404, schema: problemSchema })
  async get(@Req() req: Request, @Param('id') id: string): Promise<z.infer<typeof dashboardSchema>> {
    const counts = await this.dashboard.counts(req.principal!, id);
    return { counts, curve: await this.dashboard.curve(req.principal!, id) };
  }

  @Get('campaigns/:id/recipients')
  @RequireAccess('campaign', 'see')
  @ApiOperation({ summary: 'The campaign’s recipients in file order, filtered; keyset paging on the row number' })
  @ApiQuery({ name: 'state', required: false, enum: RECIPIENT_STATES, description: '`failed` includes `failed-timeout`, as the counts do' })
  @ApiQuery({ name: 'error', required: false, description: 'the provider’s error code, exactly' })
  @ApiQuery({ name: 'q', required: false, description: 'part of the address, or a row number' })
  @ApiQuery({ name: 'after', required: false, description: 'the `next` of the previous page' })
  @ApiQuery({ name: 'limit', required: false, description: '1–500, default 50' })
  @ApiResponse({ status: 200, schema: openApiSchema(recipientPageSchema) })
  @ApiResponse({ status: 404, schema: problemSchema })
  @ApiResponse({ status: 422, schema: problemSchema })
  recipients(@Req() req: Request, @Param('id') id: string, @Query() query: Record<string, unknown>): Promise<RecipientPage> {
    return this.list.page(req.principal!, id, query, req.locale!);
  }

  @Post('campaigns/:id/resend-failed')
  @RequireAccess('campaign', 'act')
  @ApiOperation({
    summary:
      'A new draft campaign with the failed recipients (failed and failed-timeout): same templates and mailbox, each row’s variables and attachment, new Message-IDs',
  })
  @ApiResponse({ status: 201, schema: openApiSchema(resentSchema) })
  @ApiResponse({ status: 403, description: 'the caller may no longer send from the mailbox', schema: problemSchema })
  @ApiResponse({ status: 404, schema: problemSchema })
  @ApiResponse({ status: 409, description: 'no failed recipients', schema: problemSchema })
  resend(@Req() req: Request, @Param('id') id: string): Promise<z.infer<typeof resentSchema>> {
    return this.resender.resend(req.principal!, id, req.locale!);
  }

  @Get('campaigns/:id/receipts.zip')
  @RequireAccess('campaign', 'see')
  @ApiProduces('application/zip')
  @ApiOperation({
    summary: 'The receipts of the campaign’s recipients as received (.eml), one folder per recipient (`<row>_<address>/`), streamed',
  })
  @ApiResponse({ status: 200, description: 'the ZIP' })
  @ApiResponse({ status: 404, schema: problemSchema })
  receiptsZip(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    return this.receipts.send(req.principal!, id, res);
  }
}
