import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { problemSchema } from '../api/problem.schema.js';
import { openApiSchema, parseBody } from '../api/zod-body.js';
import { BearerGuard } from '../identity/auth.guards.js';
import { SolutionCatalogue } from './solution-catalogue.js';
import type { SolutionRecord } from './solution-record.entity.js';
import { SolutionRecords } from './solution-records.js';

const recordView = z.object({
  id: z.string(),
  solution: z.string(),
  entity: z.string(),
  data: z.record(z.string(), z.unknown()),
  createdBy: z.string().nullable(),
  officeId: z.string().nullable(),
  processInstanceId: z.string().nullable(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
type RecordView = Omit<z.infer<typeof recordView>, 'createdAt' | 'updatedAt'> & { createdAt: Date; updatedAt: Date };
const listView = z.object({ items: z.array(recordView), total: z.number(), page: z.number(), pageSize: z.number() });
const createBody = z.object({ data: z.record(z.string(), z.unknown()) });
const patchBody = z.object({ data: z.record(z.string(), z.unknown()), version: z.number().int().positive().optional() });
const listQuery = z.object({
  sort: z.string().max(40).optional(),
  direction: z.enum(['asc', 'desc']).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});

/**
 * The records of every model entity, one generic API: the model decides the fields (422 lists each
 * wrong one), the list's filters and sort, and the actions that start processes. The per-entity JSON
 * Schema is in the model; these routes describe the envelope.
 */
@ApiTags('solution records')
@ApiBearerAuth()
@Controller('api/v1/solutions/:solution/:entity')
@UseGuards(BearerGuard)
export class SolutionRecordsApiController {
  constructor(
    private readonly catalogue: SolutionCatalogue,
    private readonly records: SolutionRecords,
  ) {}

  @Get()
  @ApiOperation({
    summary: "A page of the records the caller may see; any field among the list view's filters is a query parameter (?status=open)",
  })
  @ApiQuery({ name: 'sort', required: false, description: 'a field or createdAt/updatedAt; default: the view sort' })
  @ApiQuery({ name: 'direction', required: false, enum: ['asc', 'desc'] })
  @ApiQuery({ name: 'page', required: false, type: Number })
  @ApiResponse({ status: 200, schema: openApiSchema(listView) })
  @ApiResponse({ status: 404, description: 'no such solution or entity in the workspace', schema: problemSchema })
  async list(
    @Req() req: Request,
    @Param('solution') solution: string,
    @Param('entity') entity: string,
    @Query() query: Record<string, unknown>,
  ) {
    const ref = await this.catalogue.entity(solution, entity);
    const { sort, direction, page } = parseBody(listQuery, { sort: query.sort, direction: query.direction, page: query.page });
    const filters: Record<string, string> = {};
    for (const name of ref.model.list.filters) if (typeof query[name] === 'string' && query[name] !== '') filters[name] = query[name];
    const found = await this.records.list(req.principal!, ref, {
      filters,
      page,
      ...(sort ? { sort } : {}),
      ...(direction ? { direction } : {}),
    });
    return { ...found, items: found.items.map(viewOf) };
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: "Create a record; defaults from the model (e.g. requester = the caller), then validated against the entity's JSON Schema",
  })
  @ApiBody({ schema: openApiSchema(createBody) })
  @ApiResponse({ status: 201, schema: openApiSchema(recordView) })
  @ApiResponse({ status: 422, description: 'one error per field, in the caller’s language', schema: problemSchema })
  async create(@Req() req: Request, @Param('solution') solution: string, @Param('entity') entity: string, @Body() body: unknown) {
    const ref = await this.catalogue.entity(solution, entity);
    const { data } = parseBody(createBody, body);
    return viewOf(await this.records.create(req.principal!, ref, data, req.locale!));
  }

  @Get('schema')
  @ApiOperation({
    summary: "The JSON Schema a record's data must satisfy, generated from the model (what create and patch validate against)",
  })
  @ApiResponse({ status: 200, description: 'a JSON Schema (draft 2020-12 subset)' })
  @ApiResponse({ status: 404, schema: problemSchema })
  async schema(@Param('solution') solution: string, @Param('entity') entity: string) {
    return (await this.catalogue.entity(solution, entity)).schema;
  }

  @Get(':id')
  @ApiOperation({ summary: 'One record (404 when the caller may not see it)' })
  @ApiResponse({ status: 200, schema: openApiSchema(recordView) })
  @ApiResponse({ status: 404, schema: problemSchema })
  async get(@Req() req: Request, @Param('solution') solution: string, @Param('entity') entity: string, @Param('id') id: string) {
    const ref = await this.catalogue.entity(solution, entity);
    return viewOf(await this.records.get(req.principal!, ref, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change some fields; with `version`, only if the record is still at that version (409 otherwise)' })
  @ApiBody({ schema: openApiSchema(patchBody) })
  @ApiResponse({ status: 200, schema: openApiSchema(recordView) })
  @ApiResponse({ status: 404, schema: problemSchema })
  @ApiResponse({ status: 409, schema: problemSchema })
  @ApiResponse({ status: 422, schema: problemSchema })
  async patch(
    @Req() req: Request,
    @Param('solution') solution: string,
    @Param('entity') entity: string,
    @Param('id') id: string,
    @Body() body: unknown,
  ) {
    const ref = await this.catalogue.entity(solution, entity);
    const { data, version } = parseBody(patchBody, body);
    return viewOf(await this.records.patch(req.principal!, ref, id, data, version, req.locale!));
  }

  @Post(':id/actions/:action')
  @HttpCode(200)
  @ApiOperation({ summary: "Run an action of the model: starts its process (business key = record id, the record's data as variables)" })
  @ApiResponse({ status: 200, schema: openApiSchema(recordView) })
  @ApiResponse({ status: 404, schema: problemSchema })
  @ApiResponse({ status: 409, description: 'the record already has a process', schema: problemSchema })
  async action(
    @Req() req: Request,
    @Param('solution') solution: string,
    @Param('entity') entity: string,
    @Param('id') id: string,
    @Param('action') action: string,
  ) {
    const ref = await this.catalogue.entity(solution, entity);
    return viewOf(await this.records.runAction(req.principal!, ref, id, action, req.locale!));
  }
}

export function viewOf(record: SolutionRecord): RecordView {
  return {
    id: record.id,
    solution: record.solution,
    entity: record.entity,
    data: record.data,
    createdBy: record.createdBy,
    officeId: record.officeId,
    processInstanceId: record.processInstanceId,
    version: record.version,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
