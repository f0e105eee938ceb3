import { Controller, Get, Param, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { RequireAccess } from '../access/require-access.js';
import { problemSchema } from '../api/problem.schema.js';
import { openApiSchema, parseBody } from '../api/zod-body.js';
import { BearerGuard } from '../identity/auth.guards.js';
import { HISTORY_EVENTS } from './process-history.entity.js';
import { ProcessHistory, type HistoryView } from './process-history.js';
import { ProcessSla, type SlaFigures } from './process-sla.js';

const historyLine = z.object({
  at: z.string().describe('ISO 8601, UTC'),
  event: z.enum(HISTORY_EVENTS),
  elementId: z.string().nullable(),
  elementType: z.string().nullable().describe('bpmn:UserTask, bpmn:BoundaryEvent…'),
  elementName: z.string().nullable(),
  taskId: z.string().nullable(),
  actor: z.object({ id: z.string(), displayName: z.string().nullable() }).nullable().describe('the person who did it; null for the engine'),
  details: z.record(z.string(), z.unknown()),
});
const historySchema = z.object({ history: z.array(historyLine) });
const durations = z.object({ median: z.number().nullable(), p90: z.number().nullable() }).describe('seconds');
const slaSchema = z.object({
  since: z.string().nullable(),
  figures: z.array(
    z.object({
      definitionKey: z.string(),
      definitionName: z.string().nullable(),
      elementId: z.string(),
      taskName: z.string().nullable(),
      count: z.number(),
      open: z.number(),
      overdue: z.number(),
      completed: z.number(),
      takeCharge: durations,
      complete: durations,
    }),
  ),
});
const slaQuery = z.object({ since: z.iso.datetime({ offset: true }).optional() });

function historyAnswer(lines: HistoryView[]): z.infer<typeof historySchema> {
  return { history: lines.map((line) => ({ ...line, at: line.at.toISOString() })) };
}

/** The process history (per instance, per task) and the service-level figures per task type. */
@ApiTags('process history')
@ApiBearerAuth()
@Controller('api/v1')
@UseGuards(BearerGuard)
export class ProcessHistoryApiController {
  constructor(
    private readonly history: ProcessHistory,
    private readonly sla: ProcessSla,
  ) {}

  @Get('process-instances/:id/history')
  @RequireAccess('process-instance', 'see')
  @ApiOperation({ summary: 'Everything that happened to one instance, oldest first: elements, tasks, timers, messages, with who did it' })
  @ApiResponse({ status: 200, schema: openApiSchema(historySchema) })
  @ApiResponse({ status: 404, schema: problemSchema })
  async ofInstance(@Req() req: Request, @Param('id') id: string): Promise<z.infer<typeof historySchema>> {
    return historyAnswer(await this.history.ofInstance(req.principal!, id));
  }

  @Get('tasks/:id/history')
  @RequireAccess('task', 'see')
  @ApiOperation({ summary: 'The whole history of one task: created, claimed, released, completed or cancelled, with who and when' })
  @ApiResponse({ status: 200, schema: openApiSchema(historySchema) })
  @ApiResponse({ status: 404, schema: problemSchema })
  async ofTask(@Req() req: Request, @Param('id') id: string): Promise<z.infer<typeof historySchema>> {
    return historyAnswer(await this.history.ofTask(req.principal!, id));
  }

  @Get('process-sla')
  @RequireAccess('process-sla', 'see')
  @ApiOperation({
    summary: 'Per process and user task: how many tasks, open, overdue; median and 90th percentile of time to take charge and to complete',
  })
  @ApiQuery({ name: 'since', required: false, description: 'only tasks created from this instant (ISO 8601)' })
  @ApiResponse({ status: 200, schema: openApiSchema(slaSchema) })
  @ApiResponse({ status: 400, schema: problemSchema })
  async figures(@Query() raw: unknown): Promise<{ since: string | null; figures: SlaFigures[] }> {
    const { since } = parseBody(slaQuery, raw);
    return { since: since ?? null, figures: await this.sla.figures(since ? new Date(since) : null) };
  }
}
