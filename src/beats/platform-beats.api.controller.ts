import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { ProblemException } from '../api/problem.js';
import { problemSchema } from '../api/problem.schema.js';
import { openApiSchema, parseBody } from '../api/zod-body.js';
import { BeatPacks, InvalidPack } from './beat-packs.js';
import { packOrderSchema } from './pack-order.js';
import { PlatformTokenGuard } from './platform-token.guard.js';

const addedResponse = z.object({
  packId: z.uuid(),
  entryId: z.uuid().describe('the credit entry in the beats ledger'),
  duplicate: z.boolean().describe('true: a pack with this idempotency key was added before; nothing new'),
  coveredOverdraft: z.number().int().describe('beats of the pack that paid back an overdraft'),
});

/** The platform operator's API, on the workspace's own host (the tenant is the host's). */
@ApiTags('platform')
@ApiBearerAuth()
@Controller('api/v1/platform/beats')
@UseGuards(PlatformTokenGuard)
export class PlatformBeatsApiController {
  constructor(private readonly packs: BeatPacks) {}

  @Post('packs')
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a prepaid beats pack to the workspace (platform operator: Bearer PLATFORM_TOKEN)' })
  @ApiBody({ schema: openApiSchema(packOrderSchema) })
  @ApiResponse({ status: 201, schema: openApiSchema(addedResponse) })
  @ApiResponse({ status: 400, schema: problemSchema })
  @ApiResponse({ status: 401, schema: problemSchema })
  async add(@Req() req: Request, @Body() body: unknown): Promise<z.infer<typeof addedResponse>> {
    const order = parseBody(packOrderSchema, body);
    const added = await this.packs
      .addHere({ ...order, key: order.idempotencyKey ? `platform-api:${order.idempotencyKey}` : undefined }, 'system', req.ip)
      .catch((error: unknown) => {
        if (error instanceof InvalidPack)
          throw new ProblemException(400, 'validation', undefined, { errors: [{ field: 'expires', message: error.message }] });
        throw error;
      });
    return {
      packId: added.packId,
      entryId: added.entryId,
      duplicate: added.outcome === 'duplicate',
      coveredOverdraft: added.coveredOverdraft,
    };
  }
}
