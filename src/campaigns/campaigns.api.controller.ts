import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res, UploadedFiles, UseGuards, UseInterceptors } from '@nestjs/common';
import { FileFieldsInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { RequireAccess } from '../access/require-access.js';
import { parseFields } from '../api/field-errors.js';
import { problemSchema } from '../api/problem.schema.js';
import { openApiSchema } from '../api/zod-body.js';
import { BearerGuard } from '../identity/auth.guards.js';
import { CampaignDrafts } from './campaign-drafts.js';
import { ERROR_REPORT_FORMATS, sendErrorReport } from './campaign-error-report.js';
import {
  campaignSummarySchema,
  campaignViewSchema,
  createdCampaignSchema,
  previewSchema,
  testSendSchema,
  type CampaignSummary,
  type CampaignView,
  type CreatedCampaign,
  type RecipientPreview,
} from './campaign-input.js';
import { CAMPAIGN_UPLOAD_LIMITS, type CampaignUploads } from './campaign-uploads.js';
import { CampaignViews } from './campaign-views.js';
import { REPORT_FORMATS, sendCampaignReport } from './reports/send-campaign-report.js';
import { CampaignReports } from './reports/campaign-reports.js';

/** The multipart parts multer takes; anything else is refused with 400 before a byte is buffered. */
export const CAMPAIGN_UPLOAD_FIELDS = FileFieldsInterceptor(
  [
    { name: 'recipients', maxCount: 1 },
    { name: 'attachments', maxCount: CAMPAIGN_UPLOAD_LIMITS.campaignAttachments },
    { name: 'recipientAttachments', maxCount: 1 },
  ],
  { limits: { fileSize: CAMPAIGN_UPLOAD_LIMITS.fileBytes } },
);

const multipartBody = {
  type: 'object',
  required: ['recipients', 'mailboxId', 'name', 'subject'],
  properties: {
    recipients: { type: 'string', format: 'binary', description: 'XLSX or CSV; the header row may sit below title rows' },
    mailboxId: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    subject: { type: 'string', description: 'Handlebars template' },
    html: { type: 'string', description: 'Handlebars template (variables HTML-escaped); html and/or text' },
    text: { type: 'string', description: 'Handlebars template' },
    addressColumn: { type: 'string', default: 'pec' },
    attachmentColumn: { type: 'string', description: 'the column naming each row’s file in recipientAttachments' },
    attachments: { type: 'array', items: { type: 'string', format: 'binary' }, description: 'attached to every PEC' },
    recipientAttachments: { type: 'string', format: 'binary', description: 'ZIP of per-recipient files' },
  },
};

@ApiTags('campaigns')
@ApiBearerAuth()
@Controller('api/v1/campaigns')
@UseGuards(BearerGuard)
export class CampaignsApiController {
  constructor(
    private readonly drafts: CampaignDrafts,
    private readonly views: CampaignViews,
    private readonly reports: CampaignReports,
  ) {}

  @Get()
  @RequireAccess('campaign', 'see')
  @ApiOperation({ summary: 'The campaigns the caller may see, newest first (the latest 200)' })
  @ApiResponse({ status: 200, schema: openApiSchema(z.object({ campaigns: z.array(campaignSummarySchema) })) })
  async list(@Req() req: Request): Promise<{ campaigns: CampaignSummary[] }> {
    return { campaigns: await this.views.list(req.principal!, req.locale!) };
  }

  @Post()
  @RequireAccess('campaign', 'act')
  @UseInterceptors(CAMPAIGN_UPLOAD_FIELDS)
  @ApiConsumes('multipart/form-data')
  @ApiOperation({
    summary:
      'Create a campaign draft: the sheet header, templates, sizes and ZIP are checked at once (422); the rows are imported by the worker. ' +
      'The answer waits up to 5 s for the import: when `import.state` is still `running`, recipients/invalid/beatsNeeded are null and GET /:id follows it.',
  })
  @ApiBody({ schema: multipartBody })
  @ApiResponse({ status: 201, schema: openApiSchema(createdCampaignSchema) })
  @ApiResponse({ status: 403, description: 'the caller may not send from the mailbox', schema: problemSchema })
  @ApiResponse({ status: 404, description: 'no such mailbox for the caller', schema: problemSchema })
  @ApiResponse({ status: 413, schema: problemSchema })
  @ApiResponse({ status: 422, description: 'field errors, in the caller’s language', schema: problemSchema })
  create(@Req() req: Request, @Body() body: unknown, @UploadedFiles() files: CampaignUploads | undefined): Promise<CreatedCampaign> {
    return this.drafts.create(req.principal!, body, files ?? {}, req.locale!);
  }

  @Get(':id')
  @RequireAccess('campaign', 'see')
  @ApiOperation({ summary: 'One campaign: status, import progress, counts per recipient state, cost and pace' })
  @ApiResponse({ status: 200, schema: openApiSchema(campaignViewSchema) })
  @ApiResponse({ status: 404, schema: problemSchema })
  get(@Req() req: Request, @Param('id') id: string): Promise<CampaignView> {
    return this.views.get(req.principal!, id, req.locale!);
  }

  @Get(':id/preview')
  @RequireAccess('campaign', 'see')
  @ApiOperation({ summary: 'One row’s PEC as it will be sent (subject, HTML, text); without row, the first valid one' })
  @ApiQuery({ name: 'row', required: false, description: 'the row number as in the sheet' })
  @ApiResponse({ status: 200, schema: openApiSchema(previewSchema) })
  @ApiResponse({ status: 404, schema: problemSchema })
  preview(@Req() req: Request, @Param('id') id: string, @Query('row') row?: string): Promise<RecipientPreview> {
    const parsed = parseFields(z.object({ row: z.coerce.number().int().min(1).optional() }), { row }, req.locale!);
    return this.views.preview(req.principal!, id, parsed.row, req.locale!);
  }

  @Get(':id/errors.:format')
  @RequireAccess('campaign', 'see')
  @ApiOperation({ summary: 'The invalid rows and why, as CSV (UTF-8, ;) or XLSX' })
  @ApiParam({ name: 'format', enum: ERROR_REPORT_FORMATS })
  @ApiResponse({ status: 200, description: 'the file' })
  @ApiResponse({ status: 404, schema: problemSchema })
  async errors(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Param('format') format: string): Promise<void> {
    const kind = parseFields(z.enum(ERROR_REPORT_FORMATS), format, req.locale!);
    const { rows } = await this.views.errorReport(req.principal!, id, req.locale!);
    await sendErrorReport(res, rows, kind, req.locale!);
  }

  @Get(':id/report.:format')
  @RequireAccess('campaign', 'see')
  @ApiOperation({
    summary: 'The campaign report: XLSX (summary + one row per recipient, every timestamp) or PDF evidence report',
  })
  @ApiParam({ name: 'format', enum: REPORT_FORMATS })
  @ApiResponse({ status: 200, description: 'the file, streamed' })
  @ApiResponse({ status: 404, schema: problemSchema })
  async report(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Param('format') format: string): Promise<void> {
    // The campaign first: one that is not the caller's is a 404 whatever the format.
    const { campaign, report } = await this.reports.of(req.principal!, id);
    const kind = parseFields(z.enum(REPORT_FORMATS), format, req.locale!);
    await sendCampaignReport(res, campaign.name, report, kind, req.locale!);
  }

  @Post(':id/test-send')
  @HttpCode(202)
  @RequireAccess('campaign', 'act')
  @ApiOperation({ summary: 'Send one row’s PEC (default: the first valid row) to a chosen address from the campaign’s mailbox' })
  @ApiBody({ schema: openApiSchema(testSendSchema) })
  @ApiResponse({
    status: 202,
    description: 'queued as an ordinary PEC: follow it at /api/v1/pec/messages/{id}',
    schema: openApiSchema(z.object({ id: z.uuid() })),
  })
  @ApiResponse({ status: 404, schema: problemSchema })
  @ApiResponse({ status: 409, description: 'the import has not finished', schema: problemSchema })
  @ApiResponse({ status: 422, schema: problemSchema })
  testSend(@Req() req: Request, @Param('id') id: string, @Body() body: unknown): Promise<{ id: string }> {
    return this.drafts.testSend(req.principal!, id, body, req.locale!);
  }
}
