import { Body, Controller, Get, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { RequireAccess } from '../access/require-access.js';
import { roleLabel } from '../access/role-label.js';
import { Visibility } from '../access/visibility.js';
import { ProblemException } from '../api/problem.js';
import { SignedInGuard } from '../identity/auth.guards.js';
import { translate } from '../i18n/translate.js';
import { parseForm } from '../web/form.js';
import { RolesAndGroups } from './roles-and-groups.js';

const roleForm = z.object({ key: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/), name: z.string().trim().min(1).max(80) });
const groupForm = z.object({ name: z.string().trim().min(1).max(120) });
const membersForm = z.object({ members: z.string().max(200_000).default('') });

/** Pages for roles and groups; the same service as the API. */
@ApiExcludeController()
@Controller('admin')
@UseGuards(SignedInGuard)
export class AdminRolesGroupsPageController {
  constructor(
    private readonly service: RolesAndGroups,
    private readonly visibility: Visibility,
  ) {}

  @Get('roles')
  @RequireAccess('role', 'see')
  async roles(@Req() req: Request, @Res() res: Response): Promise<void> {
    const locale = req.locale!;
    const roles = (await this.service.listRoles()).map((r) => ({ ...r, label: roleLabel(locale, r) }));
    res.render('admin-roles', {
      title: translate(locale, 'admin.roles.title'),
      roles,
      canAdminister: await this.visibility.allows(req.principal!, 'role', 'administer'),
    });
  }

  @Post('roles')
  @RequireAccess('role', 'administer')
  async createRole(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const form = parseForm(roleForm, body);
    if (!form.ok) throw new ProblemException(400, 'validation', translate(req.locale!, 'admin.roles.invalidKey'));
    await this.service.createRole(req.principal!, form.data.key, form.data.name);
    res.redirect(303, '/admin/roles');
  }

  @Get('groups')
  @RequireAccess('group', 'see')
  async groups(@Req() req: Request, @Res() res: Response): Promise<void> {
    res.render('admin-groups', {
      title: translate(req.locale!, 'admin.groups.title'),
      groups: (await this.service.listGroups()).map((g) => ({ ...g, membersText: g.members.join('\n') })),
      canAdminister: await this.visibility.allows(req.principal!, 'group', 'administer'),
    });
  }

  @Post('groups')
  @RequireAccess('group', 'administer')
  async createGroup(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const form = parseForm(groupForm, body);
    if (!form.ok) throw new ProblemException(400, 'validation');
    await this.service.createGroup(req.principal!, form.data.name);
    res.redirect(303, '/admin/groups');
  }

  @Post('groups/:id/members')
  @RequireAccess('group', 'administer')
  async setMembers(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Body() body: unknown): Promise<void> {
    const form = parseForm(membersForm, body);
    if (!form.ok) throw new ProblemException(400, 'validation');
    await this.service.setMembers(req.principal!, id, form.data.members.split(/[\s,;]+/));
    res.redirect(303, '/admin/groups');
  }
}
