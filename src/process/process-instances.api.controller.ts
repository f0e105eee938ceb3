import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { RequireAccess } from '../access/require-access.js';
import { ProblemException } from '../api/problem.js';
import { problemSchema } from '../api/problem.schema.js';
import { openApiSchema, parseBody } from '../api/zod-body.js';
import { BearerGuard } from '../identity/auth.guards.js';
import { ProcessInstances, type InstanceSummary, type InstanceView } from './process-instances.js';
import type { InstanceAnswer } from './instance-steps.js';
import { ProcessRuntime } from './process-runtime.js';
import { MAX_VARIABLE_CONDITIONS, variableConditions } from './variable-filter.js';

const status = z.enum(['running', 'waiting', 'completed', 'failed']);
const startBody = z.object({
  definitionKey: z.string().min(1).max(255),
  businessKey: z.string().min(1).max(255).nullable().default(null),
  variables: z.record(z.string(), z.unknown()).default({}),
});
const started = z.object({ id: z.string(), status });
const instanceView = z.object({
  id: z.string(),
  status,
  definitionKey: z.string(),
  definitionVersion: z.number(),
  businessKey: z.string().nullable(),
  activeElements: z.array(z.string()),
  variables: z.record(z.string(), z.unknown()),
  failure: z.string().nullable(),
  definitionName: z.string().nullable(),
  startedBy: z.string().nullable().describe('user id of who started it'),
  createdAt: z.string(),
  endedAt: z.string().nullable(),
  incidents: z.array(z.object({ id: z.string(), elementId: z.string(), error: z.string() })),
});

const listQuery = z.object({
  definitionKey: z.string().min(1).max(255).optional(),
  status: status.optional(),
  businessKey: z.string().min(1).max(255).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});
const summary = z.object({
  id: z.string(),
  status,
  definitionKey: z.string(),
  definitionVersion: z.number(),
  definitionName: z.string().nullable(),
  businessKey: z.string().nullable(),
  activeElements: z.array(z.string()),
  startedBy: z.string().nullable(),
  createdAt: z.string(),
  endedAt: z.string().nullable(),
});

@ApiTags('process instances')
@ApiBearerAuth()
@Controller('api/v1/process-instances')
@UseGuards(BearerGuard)
export class ProcessInstancesApiController {
  constructor(
    private readonly runtime: ProcessRuntime,
    private readonly instances: ProcessInstances,
  ) {}

  @Post()
  @HttpCode(201)
  @RequireAccess('process-instance', 'act')
  @ApiOperation({ summary: 'Start the latest version of a process; it runs until it waits on a user task or ends' })
  @ApiBody({ schema: openApiSchema(startBody) })
  @ApiResponse({ status: 201, schema: openApiSchema(started) })
  @ApiResponse({
    status: 413,
    description: 'the variables exceed PROCESS_VARIABLES_MAX_BYTES: store large content elsewhere and pass its id',
    schema: problemSchema,
  })
  @ApiResponse({ status: 422, description: 'unknown process', schema: problemSchema })
  async start(@Req() req: Request, @Body() body: unknown): Promise<InstanceAnswer> {
    const { definitionKey, businessKey, variables } = parseBody(startBody, body);
    return this.runtime.start(definitionKey, businessKey, variables, req.principal!);
  }

  @Get()
  @RequireAccess('process-instance', 'see')
  @ApiOperation({ summary: 'The instances the caller sees (their own starts; all for managers and admins), newest first' })
  @ApiQuery({ name: 'definitionKey', required: false })
  @ApiQuery({ name: 'status', required: false, enum: status.options })
  @ApiQuery({ name: 'businessKey', required: false, description: 'exact match' })
  @ApiQuery({
    name: 'var.<name>',
    required: false,
    description:
      `equality on a top-level variable, e.g. var.esito=approvata (up to ${MAX_VARIABLE_CONDITIONS}, all must hold); ` +
      'a number or true/false also matches the variable stored as that JSON type',
  })
  @ApiQuery({ name: 'limit', required: false, description: '1–200, default 50' })
  @ApiQuery({ name: 'offset', required: false })
  @ApiResponse({ status: 200, schema: openApiSchema(z.object({ instances: z.array(summary) })) })
  @ApiResponse({ status: 400, schema: problemSchema })
  async list(@Req() req: Request, @Query() raw: Record<string, unknown>): Promise<{ instances: InstanceSummary[] }> {
    const variables = variableConditions(raw);
    if (!variables) {
      throw new ProblemException(400, 'validation', undefined, {
        errors: [{ field: 'var.<name>', message: `plain identifiers, values up to 255 characters, at most ${MAX_VARIABLE_CONDITIONS}` }],
      });
    }
    return { instances: await this.instances.list(req.principal!, { ...parseBody(listQuery, raw), variables }) };
  }

  @Get(':id')
  @RequireAccess('process-instance', 'see')
  @ApiOperation({ summary: 'One instance: status, the elements it waits on, its variables' })
  @ApiResponse({ status: 200, schema: openApiSchema(instanceView) })
  @ApiResponse({ status: 404, schema: problemSchema })
  get(@Req() req: Request, @Param('id') id: string): Promise<InstanceView> {
    return this.instances.get(req.principal!, id);
  }
}
