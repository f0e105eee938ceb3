import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import { SignInAudit } from '../audit/sign-in-audit.js';
import { Authenticator } from '../identity/authenticator.js';
import { SecondFactor } from '../identity/second-factor.js';
import { SignInChallenge } from '../identity/sign-in-challenge.js';
import { LocalLoginPolicy } from '../identity/saml/local-login-policy.js';
import { SamlOptionsFactory } from '../identity/saml/saml-options.js';
import { ssoLoginLink } from '../identity/saml/sso-login-link.js';
import { SessionService } from '../identity/session.service.js';
import { isLocale } from '../i18n/locale.js';
import { translate } from '../i18n/translate.js';
import { CHALLENGE_COOKIE, LOCALE_COOKIE, SESSION_COOKIE, cookieOptions } from './cookies.js';
import { parseForm, safeNext } from './form.js';

const loginForm = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(1024),
  next: z.string().optional(),
});
const languageForm = z.object({ locale: z.string(), back: z.string().optional() });

@ApiExcludeController()
@Controller()
export class LoginController {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly sessions: SessionService,
    private readonly localLogin: LocalLoginPolicy,
    private readonly saml: SamlOptionsFactory,
    private readonly audit: SignInAudit,
    private readonly secondFactor: SecondFactor,
    private readonly challenges: SignInChallenge,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('login')
  page(@Req() req: Request, @Res() res: Response, @Query('next') next?: string, @Query('signedOut') signedOut?: string): void {
    if (req.user) return res.redirect(303, safeNext(next));
    const notice = signedOut ? translate(req.locale!, 'login.signedOut') : undefined;
    const sso = ssoLoginLink(this.saml, req.tenant!, next);
    res.render('login', { title: translate(req.locale!, 'login.title'), bodyClass: 'auth', next, notice, sso });
  }

  @Post('login')
  @HttpCode(200)
  async login(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const locale = req.locale!;
    const form = parseForm(loginForm, body);
    const email = form.ok ? form.data.email : '';
    const again = (status: number, error: string): void =>
      res.status(status).render('login', {
        title: translate(locale, 'login.title'),
        bodyClass: 'auth',
        email,
        errors: [error],
        sso: ssoLoginLink(this.saml, req.tenant!, form.ok ? form.data.next : undefined),
      });
    if (!form.ok) return again(400, translate(locale, 'login.invalid'));
    const result = await this.authenticator.authenticate(form.data.email, form.data.password, req.ip ?? 'unknown');
    const ip = req.ip ?? 'unknown';
    if (result.outcome !== 'ok') await this.audit.outcome(result, form.data.email, ip, 'web');
    switch (result.outcome) {
      case 'invalid':
        return again(401, translate(locale, 'login.invalid'));
      case 'locked':
        res.setHeader('Retry-After', String(result.retryAfterSeconds));
        return again(429, translate(locale, 'login.locked', { minutes: Math.ceil(result.retryAfterSeconds / 60) }));
      case 'blocked':
        return again(403, translate(locale, 'login.blocked'));
      case 'ok': {
        // sso.localLogin: admins-only — the password is right, but this form is not this user's way in.
        if (!(await this.localLogin.allows(req.tenant!, result.user))) {
          await this.audit.failed(result.user.email, 'local-login-disabled', ip, 'web');
          return again(403, translate(locale, 'login.adminsOnly', { idp: this.localLogin.restrictedTo(req.tenant!) ?? '' }));
        }
        // A right password with a second factor still due is not a sign-in yet: TwoStepController records it.
        if (this.secondFactor.isEnrolled(result.user)) {
          res.cookie(CHALLENGE_COOKIE, this.challenges.issue(result.user.id, req.tenant!.id), cookieOptions(this.config, 5 * 60_000));
          const next = form.data.next ? `?next=${encodeURIComponent(safeNext(form.data.next))}` : '';
          return res.redirect(303, `/login/verify${next}`);
        }
        // A new session token at every sign-in: a token planted before sign-in is worth nothing.
        if (req.session) await this.sessions.revoke(req.session.id);
        const { token, expiresInSeconds } = await this.sessions.open(result.user, 'web');
        await this.audit.outcome(result, result.user.email, ip, 'web');
        res.cookie(SESSION_COOKIE, token, cookieOptions(this.config, expiresInSeconds * 1000));
        return res.redirect(303, result.user.mustChangePassword ? '/password/change' : safeNext(form.data.next));
      }
    }
  }

  @Post('logout')
  async logout(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (req.session) await this.sessions.revoke(req.session.id);
    if (req.user) await this.audit.signOut(req.user, req.ip ?? 'unknown');
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(303, '/login?signedOut=1');
  }

  /** Language switch for visitors (sign-in pages); signed-in users set theirs in the profile. */
  @Post('language')
  @HttpCode(303)
  language(@Res() res: Response, @Body() body: unknown): void {
    const form = parseForm(languageForm, body);
    if (form.ok && isLocale(form.data.locale))
      res.cookie(LOCALE_COOKIE, form.data.locale, { ...cookieOptions(this.config, 365 * 86_400_000), httpOnly: false });
    res.redirect(303, safeNext(form.ok ? form.data.back : undefined));
  }
}
