import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { problemSchema } from '../api/problem.schema.js';
import { openApiSchema } from '../api/zod-body.js';
import { BearerGuard } from '../identity/auth.guards.js';
import { BeatsBalances } from './beats-balance.js';

const balanceResponse = z.object({
  balance: z.number().int().describe('beats left in unexpired packs, minus any overdraft'),
  reserved: z.number().int().describe('beats held by operations in progress'),
  available: z.number().int().describe('balance − reserved: what a new operation may use'),
  packs: z
    .array(
      z.object({
        beats: z.number().int(),
        remaining: z.number().int(),
        expiresAt: z.iso.datetime().describe('the pack stops counting at this instant'),
      }),
    )
    .describe('unexpired packs, the one consumed first first'),
});

@ApiTags('beats')
@ApiBearerAuth()
@Controller('api/v1/beats')
@UseGuards(BearerGuard)
export class BeatsApiController {
  constructor(private readonly balances: BeatsBalances) {}

  @Get()
  @ApiOperation({ summary: "The workspace's beats: balance, reserved, available and unexpired packs" })
  @ApiResponse({ status: 200, schema: openApiSchema(balanceResponse) })
  @ApiResponse({ status: 401, schema: problemSchema })
  async balance(): Promise<z.infer<typeof balanceResponse>> {
    const current = await this.balances.current();
    return { ...current, packs: current.packs.map((pack) => ({ ...pack, expiresAt: pack.expiresAt.toISOString() })) };
  }
}
