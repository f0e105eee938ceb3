import { Body, Controller, Get, Param, Post, Put, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { RequireAccess } from '../access/require-access.js';
import { problemSchema } from '../api/problem.schema.js';
import { openApiSchema, parseBody } from '../api/zod-body.js';
import { BearerGuard } from '../identity/auth.guards.js';
import { RolesAndGroups, type GroupView, type RoleView } from './roles-and-groups.js';

const newRole = z.object({
  key: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'lower-case letters, digits and -'),
  name: z.string().trim().min(1).max(80),
});
const newGroup = z.object({ name: z.string().trim().min(1).max(120) });
const members = z.object({ members: z.array(z.string().max(320)).max(5000) });

@ApiTags('admin: roles and groups')
@ApiBearerAuth()
@Controller('api/v1/admin')
@UseGuards(BearerGuard)
export class AdminRolesGroupsApiController {
  constructor(private readonly service: RolesAndGroups) {}

  @Get('roles')
  @RequireAccess('role', 'see')
  @ApiOperation({ summary: 'The roles of the workspace: the four built-in ones and those it added' })
  async roles(): Promise<{ roles: RoleView[] }> {
    return { roles: await this.service.listRoles() };
  }

  @Post('roles')
  @RequireAccess('role', 'administer')
  @ApiOperation({ summary: 'Add a role (solutions and processes refer to it by key)' })
  @ApiBody({ schema: openApiSchema(newRole) })
  @ApiResponse({ status: 409, schema: problemSchema })
  createRole(@Req() req: Request, @Body() body: unknown): Promise<RoleView> {
    const input = parseBody(newRole, body);
    return this.service.createRole(req.principal!, input.key, input.name);
  }

  @Get('groups')
  @RequireAccess('group', 'see')
  @ApiOperation({ summary: 'Groups of people across offices, with their members' })
  async groups(): Promise<{ groups: GroupView[] }> {
    return { groups: await this.service.listGroups() };
  }

  @Post('groups')
  @RequireAccess('group', 'administer')
  @ApiBody({ schema: openApiSchema(newGroup) })
  @ApiResponse({ status: 409, schema: problemSchema })
  createGroup(@Req() req: Request, @Body() body: unknown): Promise<GroupView> {
    return this.service.createGroup(req.principal!, parseBody(newGroup, body).name);
  }

  @Get('groups/:id')
  @RequireAccess('group', 'see')
  group(@Param('id') id: string): Promise<GroupView> {
    return this.service.getGroup(id);
  }

  @Put('groups/:id/members')
  @RequireAccess('group', 'administer')
  @ApiOperation({ summary: "Set the group's members (e-mail addresses); the list replaces the current one" })
  @ApiBody({ schema: openApiSchema(members) })
  @ApiResponse({ status: 422, description: 'an address that is nobody in this workspace', schema: problemSchema })
  setMembers(@Req() req: Request, @Param('id') id: string, @Body() body: unknown): Promise<GroupView> {
    return this.service.setMembers(req.principal!, id, parseBody(members, body).members);
  }
}
