import { Controller, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { RequireAccess } from '../access/require-access.js';
import { problemSchema } from '../api/problem.schema.js';
import { openApiSchema, parseBody } from '../api/zod-body.js';
import { BearerGuard } from '../identity/auth.guards.js';
import { ProcessIncidents, type IncidentView } from './process-incidents.js';

const incidentState = z.enum(['open', 'retried', 'cancelled']);
export const incidentView = z.object({
  id: z.string(),
  processInstanceId: z.string(),
  elementId: z.string(),
  topic: z.string(),
  error: z.string(),
  errorCode: z.string().nullable(),
  attempts: z.number(),
  state: incidentState,
  createdAt: z.string(),
  resolvedAt: z.string().nullable(),
});

@ApiTags('process incidents')
@ApiBearerAuth()
@Controller('api/v1/process-incidents')
@UseGuards(BearerGuard)
export class ProcessIncidentsApiController {
  constructor(private readonly incidents: ProcessIncidents) {}

  @Get()
  @RequireAccess('process-incident', 'see')
  @ApiOperation({ summary: 'Service tasks whose plug call kept failing (or threw an uncaught BPMN error), newest first' })
  @ApiQuery({ name: 'state', required: false, enum: ['open', 'retried', 'cancelled'] })
  @ApiQuery({ name: 'processInstanceId', required: false })
  @ApiResponse({ status: 200, schema: openApiSchema(z.object({ incidents: z.array(incidentView) })) })
  async list(
    @Req() req: Request,
    @Query('state') state?: string,
    @Query('processInstanceId') processInstanceId?: string,
  ): Promise<{ incidents: IncidentView[] }> {
    const filter = parseBody(z.object({ state: incidentState.default('open'), processInstanceId: z.uuid().optional() }), {
      state,
      processInstanceId,
    });
    return { incidents: await this.incidents.list(req.principal!, filter.state, filter.processInstanceId) };
  }

  @Post(':id/retry')
  @HttpCode(200)
  @RequireAccess('process-incident', 'act')
  @ApiOperation({ summary: 'Send the failed plug call again, with the same idempotency key; the instance moves on when it succeeds' })
  @ApiResponse({ status: 200, schema: openApiSchema(incidentView) })
  @ApiResponse({ status: 404, schema: problemSchema })
  @ApiResponse({ status: 409, description: 'the incident is not open', schema: problemSchema })
  retry(@Req() req: Request, @Param('id') id: string): Promise<IncidentView> {
    return this.incidents.retry(req.principal!, id);
  }
}
