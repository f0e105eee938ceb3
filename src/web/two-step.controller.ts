import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { SignInAudit } from '../audit/sign-in-audit.js';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import { AllowBeforeSecondFactor, SignedInGuard } from '../identity/auth.guards.js';
import { LoginThrottle } from '../identity/login-throttle.js';
import { SecondFactor } from '../identity/second-factor.js';
import { SessionService } from '../identity/session.service.js';
import { SignInChallenge } from '../identity/sign-in-challenge.js';
import { UserRepository } from '../identity/user.repository.js';
import { translate } from '../i18n/translate.js';
import { WorkspacePolicies } from '../policies/workspace-policies.js';
import { CHALLENGE_COOKIE, ENROLMENT_COOKIE, SESSION_COOKIE, cookieOptions } from './cookies.js';
import { parseForm, safeNext } from './form.js';

const codeForm = z.object({ code: z.string().trim().max(12), next: z.string().optional() });

/** The second step of a password sign-in, and setting up or removing the TOTP second factor. */
@ApiExcludeController()
@Controller()
export class TwoStepController {
  constructor(
    private readonly challenges: SignInChallenge,
    private readonly secondFactor: SecondFactor,
    private readonly users: UserRepository,
    private readonly sessions: SessionService,
    private readonly throttle: LoginThrottle,
    private readonly policies: WorkspacePolicies,
    private readonly audit: SignInAudit,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('login/verify')
  verifyPage(@Req() req: Request, @Res() res: Response, @Query('next') next?: string): void {
    const pending = this.challenges.read(cookie(req, CHALLENGE_COOKIE), req.tenant!.id);
    if (!pending) return res.redirect(303, '/login');
    res.render('login-verify', { title: translate(req.locale!, 'twoStep.title'), bodyClass: 'auth', next });
  }

  @Post('login/verify')
  @HttpCode(200)
  async verify(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const locale = req.locale!;
    const userId = this.challenges.read(cookie(req, CHALLENGE_COOKIE), req.tenant!.id);
    const user = userId ? await this.users.findOne({ id: userId }) : null;
    if (!user || user.blocked) return res.redirect(303, '/login');
    const form = parseForm(codeForm, body);
    const ip = req.ip ?? 'unknown';
    const again = (status: number, error: string): void =>
      res.status(status).render('login-verify', {
        title: translate(locale, 'twoStep.title'),
        bodyClass: 'auth',
        next: form.ok ? form.data.next : undefined,
        errors: [error],
      });
    const lockedFor = await this.throttle.lockedFor(user.tenantId, user.email, ip);
    if (lockedFor > 0) return again(429, translate(locale, 'login.locked', { minutes: Math.ceil(lockedFor / 60) }));
    if (!form.ok || !(await this.secondFactor.check(user, form.data.code))) {
      await this.throttle.recordFailure(user.tenantId, user.email, ip);
      await this.audit.outcome({ outcome: 'invalid' }, user.email, ip, 'web');
      return again(401, translate(locale, 'twoStep.invalid'));
    }
    await this.throttle.reset(user.tenantId, user.email);
    await this.audit.outcome({ outcome: 'ok', user }, user.email, ip, 'web');
    const { token, expiresInSeconds } = await this.sessions.open(user, 'web');
    res.clearCookie(CHALLENGE_COOKIE, { path: '/' });
    res.cookie(SESSION_COOKIE, token, cookieOptions(this.config, expiresInSeconds * 1000));
    res.redirect(303, user.mustChangePassword ? '/password/change' : safeNext(form.data.next));
  }

  @Get('profile/two-step')
  @UseGuards(SignedInGuard)
  @AllowBeforeSecondFactor()
  async setupPage(@Req() req: Request, @Res() res: Response, @Query('done') done?: string): Promise<void> {
    const locale = req.locale!;
    const user = req.user!;
    const policy = await this.policies.current();
    const required = this.secondFactor.requiredFor(req.principal!.roles, policy);
    const view = {
      title: translate(locale, 'twoStep.setup.title'),
      required,
      notice: done ? translate(locale, 'profile.saved') : undefined,
    };
    if (this.secondFactor.isEnrolled(user)) return res.render('two-step', { ...view, enrolled: true });
    if (policy.secondFactor === 'off') return res.render('two-step', { ...view, unavailable: true });
    const enrolment = await this.secondFactor.start(user, req.tenant!.name);
    res.cookie(ENROLMENT_COOKIE, enrolment.pending, cookieOptions(this.config, 15 * 60_000));
    res.render('two-step', { ...view, enrolment: { secret: enrolment.secret.replace(/(.{4})/g, '$1 ').trim(), qrSvg: enrolment.qrSvg } });
  }

  @Post('profile/two-step')
  @UseGuards(SignedInGuard)
  @AllowBeforeSecondFactor()
  async confirm(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const form = parseForm(codeForm, body);
    const pending = cookie(req, ENROLMENT_COOKIE);
    if (form.ok && pending && (await this.secondFactor.confirm(req.user!, pending, form.data.code))) {
      res.clearCookie(ENROLMENT_COOKIE, { path: '/' });
      return res.redirect(303, '/profile/two-step?done=1');
    }
    res.status(400).render('two-step', {
      title: translate(req.locale!, 'twoStep.setup.title'),
      errors: [translate(req.locale!, 'twoStep.invalid')],
      retry: true,
    });
  }

  @Post('profile/two-step/disable')
  @UseGuards(SignedInGuard)
  async disable(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const form = parseForm(codeForm, body);
    const required = this.secondFactor.requiredFor(req.principal!.roles, await this.policies.current());
    if (form.ok && (await this.secondFactor.disable(req.user!, form.data.code, required)))
      return res.redirect(303, '/profile/two-step?done=1');
    res.status(400).render('two-step', {
      title: translate(req.locale!, 'twoStep.setup.title'),
      enrolled: true,
      errors: [translate(req.locale!, 'twoStep.invalid')],
    });
  }
}

function cookie(req: Request, name: string): string | undefined {
  return (req.cookies as Record<string, string | undefined>)[name];
}
