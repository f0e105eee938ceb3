import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { RequireAccess } from '../../access/require-access.js';
import { problemSchema } from '../../api/problem.schema.js';
import { openApiSchema } from '../../api/zod-body.js';
import { BearerGuard } from '../../identity/auth.guards.js';
import { IntakeStarts, type IntakeFailureView } from './intake-starts.js';

const failureView = z.object({
  id: z.string(),
  messageId: z.string(),
  mailboxAddress: z.string(),
  subject: z.string().nullable(),
  error: z.string(),
  attempts: z.number(),
  failingSince: z.string(),
  lastAttemptAt: z.string(),
});

const retryAnswer = z.object({ started: z.boolean(), processInstanceId: z.string().nullable(), error: z.string().nullable() });

/** Incoming PEC whose intake process did not start: stored all the same, listed here until a retry starts it. */
@ApiTags('pec intake')
@ApiBearerAuth()
@Controller('api/v1/pec-intake-failures')
@UseGuards(BearerGuard)
export class IntakeFailuresApiController {
  constructor(private readonly starts: IntakeStarts) {}

  @Get()
  @RequireAccess('process-incident', 'see')
  @ApiOperation({ summary: 'Incoming PEC whose intake process could not be started (e.g. no process deployed), oldest first' })
  @ApiResponse({ status: 200, schema: openApiSchema(z.object({ failures: z.array(failureView) })) })
  async list(): Promise<{ failures: IntakeFailureView[] }> {
    return { failures: await this.starts.failures() };
  }

  @Post(':id/retry')
  @HttpCode(200)
  @RequireAccess('process-incident', 'act')
  @ApiOperation({ summary: 'Try to start the intake process again (once per message, whatever the number of retries)' })
  @ApiResponse({ status: 200, schema: openApiSchema(retryAnswer) })
  @ApiResponse({ status: 404, schema: problemSchema })
  @ApiResponse({ status: 409, description: 'the process has started already', schema: problemSchema })
  retry(@Param('id') id: string): Promise<z.infer<typeof retryAnswer>> {
    return this.starts.retry(id);
  }
}
