import { Body, Controller, Get, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { OrganisationService } from '../access/organisation.service.js';
import { roleLabel } from '../access/role-label.js';
import { SignedInGuard } from '../identity/auth.guards.js';
import { UserRepository } from '../identity/user.repository.js';
import { translate } from '../i18n/translate.js';
import { DesktopNoticeSources, DesktopTileSources, tilesFor } from './desktop-tiles.js';
import { parseForm } from './form.js';

const profileForm = z.object({ locale: z.enum(['', 'it', 'en']) });

@ApiExcludeController()
@Controller()
@UseGuards(SignedInGuard)
export class DesktopController {
  constructor(
    private readonly users: UserRepository,
    private readonly organisation: OrganisationService,
    private readonly dataTiles: DesktopTileSources,
    private readonly notices: DesktopNoticeSources,
  ) {}

  @Get()
  async desktop(@Req() req: Request, @Res() res: Response, @Query('passwordChanged') changed?: string): Promise<void> {
    const locale = req.locale!;
    const tiles = [
      ...tilesFor(req.principal!.roles).map((tile) => ({
        ...tile,
        label: translate(locale, tile.label),
        hint: translate(locale, tile.hint),
      })),
      ...(await this.dataTiles.collect(req.principal!, locale)),
    ];
    res.render('desktop', {
      title: translate(locale, 'desktop.title'),
      tiles,
      notice: changed ? translate(locale, 'password.change.done') : undefined,
      alerts: await this.notices.collect(req.principal!, locale),
    });
  }

  @Get('profile')
  async profile(@Req() req: Request, @Res() res: Response, @Query('saved') saved?: string): Promise<void> {
    const locale = req.locale!;
    const tree = await this.organisation.tree();
    const grants = req.principal!.grants.map((g) => ({
      role: roleLabel(locale, { key: g.role }),
      office: g.officeId ? tree.path(g.officeId) : null,
    }));
    res.render('profile', {
      title: translate(locale, 'profile.title'),
      grants,
      notice: saved ? translate(locale, 'profile.saved') : undefined,
    });
  }

  @Post('profile')
  async saveProfile(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const form = parseForm(profileForm, body);
    if (form.ok) await this.users.update({ id: req.user!.id }, { locale: form.data.locale === '' ? null : form.data.locale });
    res.redirect(303, '/profile?saved=1');
  }
}
