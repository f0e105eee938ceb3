import { Body, Controller, Get, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { RequireAccess } from '../access/require-access.js';
import { problemSchema } from '../api/problem.schema.js';
import { openApiSchema, parseBody } from '../api/zod-body.js';
import { BearerGuard } from '../identity/auth.guards.js';
import { ProcessInstances, type InstanceView } from './process-instances.js';
import { ProcessRuntime, type InstanceAnswer } from './process-runtime.js';

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
  @ApiResponse({ status: 422, description: 'unknown process', schema: problemSchema })
  async start(@Req() req: Request, @Body() body: unknown): Promise<InstanceAnswer> {
    const { definitionKey, businessKey, variables } = parseBody(startBody, body);
    return this.runtime.start(definitionKey, businessKey, variables, req.principal!);
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
