import { Body, Controller, Get, Put, Query, Req, StreamableFile, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { RequireAccess } from '../access/require-access.js';
import { problemSchema } from '../api/problem.schema.js';
import { openApiSchema, parseBody } from '../api/zod-body.js';
import { BearerGuard } from '../identity/auth.guards.js';
import { BeatsPreview, type CostPreview } from './beats-preview.js';
import { USAGE_GROUPS, type UsageReport } from './beats-usage.js';
import { LowBalanceAlert } from './low-balance.js';
import { PLATFORM_PRICES } from './price-list.js';
import { UsageDownloads } from './usage-download.js';
import { parseUsageQuery, USAGE_FORMATS } from './usage-query.js';

const counts = {
  beats: z.number().int(),
  units: z.number().int().describe("the plug's units: recipients, messages, calls"),
  calls: z.number().int().describe('charged calls (debits)'),
  overdraft: z.number().int().describe('beats no credit covered (incoming PEC with no balance)'),
};
const usageResponse = z.object({
  period: z.object({ from: z.iso.date(), to: z.iso.date() }),
  groupBy: z.enum(USAGE_GROUPS),
  rows: z.array(
    z.object({
      key: z.string().nullable().describe('plug, day (YYYY-MM-DD), month (YYYY-MM), user id or campaign id; null: none'),
      label: z.string(),
      ...counts,
    }),
  ),
  total: z.object(counts),
});

const previewQuery = z.object({
  plug: z.enum(Object.keys(PLATFORM_PRICES) as [string, ...string[]]),
  units: z.coerce.number().int().min(0).max(1_000_000),
});
const previewResponse = z.object({
  plug: z.string(),
  units: z.number().int(),
  beats: z.number().int().describe('what the action will cost'),
  available: z.number().int(),
  after: z.number().int().describe('available beats once it is done; negative: it would be refused'),
  enough: z.boolean(),
});

const alertSettings = z.object({
  lowBalance: z.number().int().min(0).max(2_000_000_000).nullable().describe('alert when available beats go below this; null: never'),
});
const alertsResponse = alertSettings.extend({
  below: z.boolean().describe('available beats are below the threshold now (the banner is shown)'),
});

/** Usage reports, cost previews and the low-balance threshold (docs/decisions/0023-beats-visibility.md). */
@ApiTags('beats')
@ApiBearerAuth()
@Controller('api/v1/beats')
@UseGuards(BearerGuard)
export class BeatsUsageApiController {
  constructor(
    private readonly downloads: UsageDownloads,
    private readonly preview: BeatsPreview,
    private readonly lowBalance: LowBalanceAlert,
  ) {}

  @Get('usage')
  @RequireAccess('beats', 'see')
  @ApiOperation({ summary: 'Beats used in a period (Italian days, both included), grouped; JSON, CSV (;, UTF-8 with BOM) or XLSX' })
  @ApiQuery({ name: 'from', required: false, description: 'YYYY-MM-DD; default: the first of this month' })
  @ApiQuery({ name: 'to', required: false, description: 'YYYY-MM-DD; default: today' })
  @ApiQuery({ name: 'groupBy', required: false, enum: USAGE_GROUPS })
  @ApiQuery({ name: 'format', required: false, enum: USAGE_FORMATS })
  @ApiProduces('application/json', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiResponse({ status: 200, schema: openApiSchema(usageResponse) })
  @ApiResponse({ status: 400, schema: problemSchema })
  @ApiResponse({ status: 403, schema: problemSchema })
  usage(@Req() req: Request, @Query() query: Record<string, unknown>): Promise<UsageReport | StreamableFile> {
    return this.downloads.answer(req.principal!, parseUsageQuery(query), req.locale!);
  }

  @Get('preview')
  @ApiOperation({ summary: 'What an action will cost before it runs, and the available beats left afterwards' })
  @ApiQuery({ name: 'plug', enum: Object.keys(PLATFORM_PRICES) })
  @ApiQuery({ name: 'units', type: Number, description: 'recipients of a PEC, messages of a campaign…' })
  @ApiResponse({ status: 200, schema: openApiSchema(previewResponse) })
  @ApiResponse({ status: 400, schema: problemSchema })
  costPreview(@Query() query: Record<string, unknown>): Promise<CostPreview> {
    const { plug, units } = parseBody(previewQuery, query);
    return this.preview.of(plug, units);
  }

  @Get('alerts')
  @RequireAccess('beats', 'see')
  @ApiOperation({ summary: "The workspace's low-balance threshold" })
  @ApiResponse({ status: 200, schema: openApiSchema(alertsResponse) })
  @ApiResponse({ status: 403, schema: problemSchema })
  async alerts(): Promise<z.infer<typeof alertsResponse>> {
    return { lowBalance: await this.lowBalance.threshold(), below: (await this.lowBalance.notice()) !== null };
  }

  @Put('alerts')
  @RequireAccess('beats', 'administer')
  @ApiOperation({ summary: 'Sets the low-balance threshold: the admins are alerted (in-app and by e-mail) once per crossing' })
  @ApiBody({ schema: openApiSchema(alertSettings) })
  @ApiResponse({ status: 200, schema: openApiSchema(alertsResponse) })
  @ApiResponse({ status: 400, schema: problemSchema })
  @ApiResponse({ status: 403, schema: problemSchema })
  async setAlerts(@Req() req: Request, @Body() body: unknown): Promise<z.infer<typeof alertsResponse>> {
    const { lowBalance } = parseBody(alertSettings, body);
    await this.lowBalance.setThreshold(lowBalance, { id: req.principal!.userId, email: req.principal!.email });
    return this.alerts();
  }
}
