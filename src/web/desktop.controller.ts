import { Body, Controller, Get, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { SignedInGuard } from '../identity/auth.guards.js';
import { Roles } from '../identity/roles.js';
import type { User } from '../identity/user.entity.js';
import { UserRepository } from '../identity/user.repository.js';
import type { Locale } from '../i18n/locale.js';
import { translate } from '../i18n/translate.js';
import { tilesFor } from './desktop-tiles.js';
import { parseForm } from './form.js';

const profileForm = z.object({ locale: z.enum(['', 'it', 'en']) });

function roleLabels(locale: Locale, user: User): string[] {
  return user.roles.map((role) => translate(locale, `role.${role}`));
}

@ApiExcludeController()
@Controller()
@UseGuards(SignedInGuard)
export class DesktopController {
  constructor(private readonly users: UserRepository) {}

  @Get()
  desktop(@Req() req: Request, @Res() res: Response, @Query('passwordChanged') changed?: string): void {
    const locale = req.locale!;
    const tiles = tilesFor(req.user!.roles).map((tile) => ({
      ...tile,
      label: translate(locale, tile.label),
      hint: translate(locale, tile.hint),
    }));
    res.render('desktop', {
      title: translate(locale, 'desktop.title'),
      tiles,
      notice: changed ? translate(locale, 'password.change.done') : undefined,
    });
  }

  @Get('profile')
  profile(@Req() req: Request, @Res() res: Response, @Query('saved') saved?: string): void {
    const locale = req.locale!;
    res.render('profile', {
      title: translate(locale, 'profile.title'),
      roleLabels: roleLabels(locale, req.user!),
      notice: saved ? translate(locale, 'profile.saved') : undefined,
    });
  }

  @Post('profile')
  async saveProfile(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const form = parseForm(profileForm, body);
    if (form.ok) await this.users.update({ id: req.user!.id }, { locale: form.data.locale === '' ? null : form.data.locale });
    res.redirect(303, '/profile?saved=1');
  }

  @Get('admin/users')
  @Roles('admin')
  async usersPage(@Req() req: Request, @Res() res: Response): Promise<void> {
    const locale = req.locale!;
    const rows = (await this.users.find({}, { order: { email: 'ASC' } })).map((user) => ({
      displayName: user.displayName,
      email: user.email,
      roleLabels: roleLabels(locale, user),
      status: translate(locale, user.blocked ? 'users.blocked' : 'users.active'),
    }));
    res.render('users', { title: translate(locale, 'users.title'), rows });
  }
}
