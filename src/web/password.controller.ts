import { Body, Controller, Get, HttpCode, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { AllowBeforePasswordChange, AllowBeforeSecondFactor, SignedInGuard } from '../identity/auth.guards.js';
import { PasswordResetService } from '../identity/password-reset.service.js';
import { PasswordService, type PasswordChange } from '../identity/password.service.js';
import { WorkspacePolicies } from '../policies/workspace-policies.js';
import type { Locale } from '../i18n/locale.js';
import { translate } from '../i18n/translate.js';
import { parseForm } from './form.js';

const changeForm = z.object({ current: z.string().max(1024), password: z.string().max(1024), confirm: z.string().max(1024) });
const forgotForm = z.object({ email: z.string().trim().min(3).max(320) });
const resetForm = z.object({ token: z.string().min(1).max(200), password: z.string().max(1024), confirm: z.string().max(1024) });

function problems(locale: Locale, result: PasswordChange): string[] {
  switch (result.outcome) {
    case 'ok':
      return [];
    case 'wrong-current':
      return [translate(locale, 'password.change.wrongCurrent')];
    case 'rejected':
      return result.violations.map((v) => translate(locale, v.key, v.params));
  }
}

@ApiExcludeController()
@Controller('password')
export class PasswordController {
  constructor(
    private readonly passwords: PasswordService,
    private readonly resets: PasswordResetService,
    private readonly policies: WorkspacePolicies,
  ) {}

  private async minLength(): Promise<number> {
    return (await this.policies.current()).passwordMinLength;
  }

  @Get('change')
  @UseGuards(SignedInGuard)
  @AllowBeforePasswordChange()
  @AllowBeforeSecondFactor()
  async changePage(@Req() req: Request, @Res() res: Response): Promise<void> {
    res.render('password-change', await this.changeView(req));
  }

  @Post('change')
  @HttpCode(200)
  @UseGuards(SignedInGuard)
  @AllowBeforePasswordChange()
  @AllowBeforeSecondFactor()
  async change(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const locale = req.locale!;
    const form = parseForm(changeForm, body);
    if (!form.ok || form.data.password !== form.data.confirm) {
      return res
        .status(400)
        .render('password-change', { ...(await this.changeView(req)), errors: [translate(locale, 'password.change.mismatch')] });
    }
    const result = await this.passwords.change(req.user!, form.data.current, form.data.password, req.session!.id);
    if (result.outcome !== 'ok')
      return res.status(400).render('password-change', { ...(await this.changeView(req)), errors: problems(locale, result) });
    res.redirect(303, '/?passwordChanged=1');
  }

  private async changeView(req: Request): Promise<Record<string, unknown>> {
    return {
      title: translate(req.locale!, 'password.change.title'),
      forced: req.user!.mustChangePassword,
      minLength: await this.minLength(),
    };
  }

  @Get('forgot')
  forgotPage(@Req() req: Request, @Res() res: Response): void {
    res.render('password-forgot', { title: translate(req.locale!, 'password.forgot.title'), bodyClass: 'auth' });
  }

  @Post('forgot')
  @HttpCode(200)
  async forgot(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const locale = req.locale!;
    const form = parseForm(forgotForm, body);
    if (form.ok) await this.resets.request(form.data.email, req.tenant!.name, res.locals.baseUrl as string, locale);
    // Same answer whether or not the address exists: the page must not reveal who has an account.
    res.render('password-forgot', {
      title: translate(locale, 'password.forgot.title'),
      bodyClass: 'auth',
      notice: translate(locale, 'password.forgot.sent'),
    });
  }

  @Get('reset')
  async resetPage(@Req() req: Request, @Res() res: Response, @Query('token') token?: string): Promise<void> {
    const locale = req.locale!;
    const usable = token ? await this.resets.isUsable(token) : false;
    res.status(usable ? 200 : 410).render('password-reset', {
      title: translate(locale, 'password.reset.title'),
      bodyClass: 'auth',
      minLength: await this.minLength(),
      ...(usable ? { token } : { errors: [translate(locale, 'password.reset.invalid')] }),
    });
  }

  @Post('reset')
  @HttpCode(200)
  async reset(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const locale = req.locale!;
    const form = parseForm(resetForm, body);
    const view = { title: translate(locale, 'password.reset.title'), bodyClass: 'auth', minLength: await this.minLength() };
    if (!form.ok) return res.status(410).render('password-reset', { ...view, errors: [translate(locale, 'password.reset.invalid')] });
    const { token } = form.data;
    if (form.data.password !== form.data.confirm) {
      return res.status(400).render('password-reset', { ...view, token, errors: [translate(locale, 'password.change.mismatch')] });
    }
    const result = await this.resets.complete(token, form.data.password);
    if (result.outcome === 'invalid-link')
      return res.status(410).render('password-reset', { ...view, errors: [translate(locale, 'password.reset.invalid')] });
    if (result.outcome !== 'ok') return res.status(400).render('password-reset', { ...view, token, errors: problems(locale, result) });
    res.render('login', { title: translate(locale, 'login.title'), bodyClass: 'auth', notice: translate(locale, 'password.reset.done') });
  }
}
