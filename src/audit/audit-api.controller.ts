import { applyDecorators, Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { problemSchema } from '../api/problem.schema.js';
import { openApiSchema, parseBody } from '../api/zod-body.js';
import { BearerGuard } from '../identity/auth.guards.js';
import { RequireAccess } from '../access/require-access.js';
import type { ActivityEntry } from './activity-entry.entity.js';
import { activityQuery, toFilter, withoutBlanks } from './activity-filter.js';
import { ActivityLog } from './activity-log.js';

const entrySchema = z.object({
  seq: z.number().int().describe('1, 2, 3… within the workspace, without gaps'),
  at: z.string().describe('ISO 8601, UTC'),
  actor: z.object({ id: z.string().nullable(), label: z.string().describe('e-mail, or `system`') }),
  action: z.string(),
  resource: z.object({ type: z.string(), id: z.string() }).nullable(),
  details: z.record(z.string(), z.unknown()),
  ip: z.string().nullable(),
  hash: z.string().describe('sha256 hex of prevHash and the canonical JSON of the entry'),
  prevHash: z.string().describe('hash of the entry before (64 zeros for the first)'),
});
const pageSchema = z.object({
  entries: z.array(entrySchema),
  next: z.number().int().nullable().describe('pass as `cursor` for the next (older) page; null on the last'),
});

type ApiEntry = z.infer<typeof entrySchema>;

function toApiEntry(entry: ActivityEntry): ApiEntry {
  return {
    seq: entry.seq,
    at: entry.at.toISOString(),
    actor: { id: entry.actorId, label: entry.actorLabel },
    action: entry.action,
    resource: entry.resourceType === null ? null : { type: entry.resourceType, id: entry.resourceId ?? '' },
    details: entry.details,
    ip: entry.ip,
    hash: entry.hash,
    prevHash: entry.prevHash,
  };
}

/** One @ApiQuery per filter, from the same zod schema that validates them. */
function ApiActivityQuery(): MethodDecorator {
  const { properties = {} } = openApiSchema(activityQuery) as { properties?: Record<string, Record<string, unknown>> };
  return applyDecorators(...Object.entries(properties).map(([name, schema]) => ApiQuery({ name, required: false, schema })));
}

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/v1/audit')
@UseGuards(BearerGuard)
@RequireAccess('audit-entry', 'see')
export class AuditApiController {
  constructor(private readonly log: ActivityLog) {}

  @Get()
  @ApiOperation({ summary: "The workspace's activity log, newest first (administrators only)" })
  @ApiActivityQuery()
  @ApiResponse({ status: 200, schema: openApiSchema(pageSchema) })
  @ApiResponse({ status: 400, description: 'A filter is malformed', schema: problemSchema })
  @ApiResponse({ status: 401, schema: problemSchema })
  @ApiResponse({ status: 403, description: 'Not an administrator', schema: problemSchema })
  async list(@Query() raw: unknown): Promise<z.infer<typeof pageSchema>> {
    const page = await this.log.search(toFilter(parseBody(activityQuery, withoutBlanks(raw))));
    return { entries: page.entries.map(toApiEntry), next: page.next };
  }
}
