import { Body, Controller, Get, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequireAccess } from '../../access/require-access.js';
import { parseFields } from '../../api/field-errors.js';
import { problemSchema } from '../../api/problem.schema.js';
import { openApiSchema } from '../../api/zod-body.js';
import { BearerGuard } from '../../identity/auth.guards.js';
import { exportSelectionSchema } from './export-input.js';
import { PecExport, type ExportFormat } from './pec-export.js';

const PATHS = ['messages/export.zip', 'messages/export.mbox'];
const DESCRIPTION =
  'The messages (and receipts, with entry=receipt|all) matching the inbox filters, or the `ids` among them, as their RFC 822 sources: `.eml` files in a ZIP (byte-identical) or one mboxrd file; streamed, recorded in the activity log';

/** Export of the inbox (declared before `messages/:id`, which would otherwise take `export.zip` for an id). */
@ApiTags('pec-messages')
@ApiBearerAuth()
@Controller('api/v1')
@UseGuards(BearerGuard)
export class PecExportApiController {
  constructor(private readonly exporter: PecExport) {}

  @Get(PATHS)
  @RequireAccess('pec-message', 'see')
  @ApiOperation({ summary: DESCRIPTION })
  @ApiQuery({ name: 'ids', required: false, description: 'comma-separated ids (at most 1000)' })
  @ApiProduces('application/zip', 'application/mbox')
  @ApiResponse({ status: 200, description: 'the archive, streamed' })
  @ApiResponse({ status: 422, schema: problemSchema })
  async exportByQuery(@Req() req: Request, @Res() res: Response, @Query() query: Record<string, string>): Promise<void> {
    await this.export(req, res, query);
  }

  @Post(PATHS)
  @RequireAccess('pec-message', 'see')
  @ApiOperation({ summary: `${DESCRIPTION}; the body holds the filters and ids (for selections too long for a URL)` })
  @ApiBody({ schema: openApiSchema(exportSelectionSchema) })
  @ApiProduces('application/zip', 'application/mbox')
  @ApiResponse({ status: 200, description: 'the archive, streamed' })
  @ApiResponse({ status: 422, schema: problemSchema })
  async exportByBody(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    await this.export(req, res, body);
  }

  private async export(req: Request, res: Response, input: unknown): Promise<void> {
    const { ids, ...filter } = parseFields(exportSelectionSchema, input, req.locale!);
    const format: ExportFormat = req.path.endsWith('.mbox') ? 'mbox' : 'zip';
    await this.exporter.send(req.principal!, format, { filter, ids }, res);
  }
}
