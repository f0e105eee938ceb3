import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { RequireAccess } from '../access/require-access.js';
import { problemSchema } from '../api/problem.schema.js';
import { openApiSchema, parseBody } from '../api/zod-body.js';
import { BearerGuard } from '../identity/auth.guards.js';
import { OfficeAdministration, type OfficeView } from './offices.js';

const officeName = z
  .string()
  .trim()
  .min(1)
  .max(120)
  .refine((name) => !name.includes('/'), 'cannot contain /');
const newOffice = z.object({ name: officeName, parentId: z.uuid().nullable().default(null) });
const officeView = z.object({ id: z.string(), name: z.string(), path: z.string(), parentId: z.string().nullable(), depth: z.number() });

@ApiTags('admin: offices')
@ApiBearerAuth()
@Controller('api/v1/admin/offices')
@UseGuards(BearerGuard)
export class AdminOfficesApiController {
  constructor(private readonly offices: OfficeAdministration) {}

  @Get()
  @RequireAccess('office', 'see')
  @ApiOperation({ summary: 'The office tree, depth first' })
  @ApiResponse({ status: 200, schema: openApiSchema(z.object({ offices: z.array(officeView) })) })
  async list(): Promise<{ offices: OfficeView[] }> {
    return { offices: await this.offices.list() };
  }

  @Post()
  @RequireAccess('office', 'administer')
  @ApiOperation({ summary: 'Create an office, at the top or under a parent' })
  @ApiBody({ schema: openApiSchema(newOffice) })
  @ApiResponse({ status: 201, schema: openApiSchema(officeView) })
  @ApiResponse({ status: 409, schema: problemSchema })
  create(@Req() req: Request, @Body() body: unknown): Promise<OfficeView> {
    const input = parseBody(newOffice, body);
    return this.offices.create(req.principal!, input.name, input.parentId);
  }

  @Patch(':id')
  @RequireAccess('office', 'administer')
  @ApiOperation({ summary: 'Rename an office' })
  @ApiBody({ schema: openApiSchema(z.object({ name: officeName })) })
  rename(@Req() req: Request, @Param('id') id: string, @Body() body: unknown): Promise<OfficeView> {
    return this.offices.rename(req.principal!, id, parseBody(z.object({ name: officeName }), body).name);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireAccess('office', 'administer')
  @ApiOperation({ summary: 'Remove an office with no sub-offices and nobody holding a role in it' })
  @ApiResponse({ status: 409, description: 'the office still has sub-offices or people', schema: problemSchema })
  async remove(@Req() req: Request, @Param('id') id: string): Promise<void> {
    await this.offices.remove(req.principal!, id);
  }
}
