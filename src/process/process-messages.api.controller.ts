import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { RequireAccess } from '../access/require-access.js';
import { problemSchema } from '../api/problem.schema.js';
import { openApiSchema, parseBody } from '../api/zod-body.js';
import { BearerGuard } from '../identity/auth.guards.js';
import { MessageCorrelation, type CorrelationAnswer } from './message-correlation.js';

const messageBody = z.object({
  messageName: z.string().min(1).max(255),
  businessKey: z.string().min(1).max(255),
  variables: z.record(z.string(), z.unknown()).default({}),
  messageId: z.string().min(1).max(998).optional(),
});
const correlation = z.object({ correlated: z.array(z.string()), started: z.array(z.string()), duplicate: z.boolean() });

@ApiTags('process instances')
@ApiBearerAuth()
@Controller('api/v1/process-messages')
@UseGuards(BearerGuard)
export class ProcessMessagesApiController {
  constructor(private readonly messages: MessageCorrelation) {}

  @Post()
  @HttpCode(200)
  @RequireAccess('process-message', 'act')
  @ApiOperation({
    summary:
      'Deliver a message to the instances waiting on it under a business key, or start the processes whose start event listens to it',
  })
  @ApiBody({ schema: openApiSchema(messageBody) })
  @ApiResponse({ status: 200, schema: openApiSchema(correlation) })
  @ApiResponse({ status: 404, description: 'no instance waits for this message', schema: problemSchema })
  @ApiResponse({ status: 413, description: 'the variables would exceed PROCESS_VARIABLES_MAX_BYTES: nothing moved', schema: problemSchema })
  async correlate(@Req() req: Request, @Body() body: unknown): Promise<CorrelationAnswer> {
    const { messageName, businessKey, variables, messageId } = parseBody(messageBody, body);
    return this.messages.correlate({ messageName, businessKey, variables, ...(messageId ? { messageId } : {}) }, req.principal!);
  }
}
