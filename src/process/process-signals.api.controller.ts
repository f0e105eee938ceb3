import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { RequireAccess } from '../access/require-access.js';
import { problemSchema } from '../api/problem.schema.js';
import { openApiSchema, parseBody } from '../api/zod-body.js';
import { BearerGuard } from '../identity/auth.guards.js';
import { SignalBroadcast, type BroadcastAnswer } from './signal-broadcast.js';

const signalBody = z.object({
  signalName: z.string().min(1).max(255),
  variables: z.record(z.string(), z.unknown()).default({}),
  signalId: z.string().min(1).max(998).optional(),
});
const broadcast = z.object({ reached: z.array(z.string()), started: z.array(z.string()), duplicate: z.boolean() });

@ApiTags('process instances')
@ApiBearerAuth()
@Controller('api/v1/process-signals')
@UseGuards(BearerGuard)
export class ProcessSignalsApiController {
  constructor(private readonly signals: SignalBroadcast) {}

  @Post()
  @HttpCode(200)
  @RequireAccess('process-signal', 'act')
  @ApiOperation({
    summary:
      'Broadcast a BPMN signal in the workspace: every waiting instance catching it moves on, every process with a signal start event of that name starts; ' +
      'a repeated signalId answers the first delivery (duplicate: true) and moves nothing',
  })
  @ApiBody({ schema: openApiSchema(signalBody) })
  @ApiResponse({ status: 200, description: 'reached and started may both be empty: nobody catches it', schema: openApiSchema(broadcast) })
  @ApiResponse({ status: 413, description: 'the variables would exceed PROCESS_VARIABLES_MAX_BYTES: nothing moved', schema: problemSchema })
  async broadcast(@Req() req: Request, @Body() body: unknown): Promise<BroadcastAnswer> {
    const { signalName, variables, signalId } = parseBody(signalBody, body);
    return this.signals.broadcast({ signalName, variables, ...(signalId ? { signalId } : {}) }, req.principal!);
  }
}
