import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import { principalOf } from '../identity/auth.guards.js';
import { SessionService } from '../identity/session.service.js';
import { resolveLocale } from '../i18n/locale.js';
import { ThemeCatalogue } from '../tenancy/theme-catalogue.js';
import { Csrf } from './csrf.js';
import { LOCALE_COOKIE, SESSION_COOKIE } from './cookies.js';

/**
 * For page routes: who is signed in (from the session cookie, if any), which language to speak,
 * the CSRF token, and the tenant's theme, all made available to every template through res.locals.
 */
@Injectable()
export class PageContextMiddleware implements NestMiddleware {
  constructor(
    private readonly sessions: SessionService,
    private readonly themes: ThemeCatalogue,
    private readonly csrf: Csrf,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    const tenant = req.tenant!;
    const cookies = req.cookies as Record<string, string | undefined>;
    const token = cookies[SESSION_COOKIE];
    const signedIn = token ? await this.sessions.validate(token, 'web') : null;
    if (signedIn) {
      req.user = signedIn.user;
      req.session = signedIn.session;
      req.principal = principalOf(signedIn);
    } else if (token) {
      res.clearCookie(SESSION_COOKIE, { path: '/' });
    }
    req.locale = resolveLocale(req.user?.locale ?? cookies[LOCALE_COOKIE], req.headers['accept-language'], tenant.defaultLocale);
    const theme = await this.themes.get(tenant.theme);
    Object.assign(res.locals, {
      tenant: { name: tenant.name, slug: tenant.slug },
      theme: theme.definition,
      locale: req.locale,
      csrfToken: this.csrf.tokenFor(req, res),
      user: req.user ? { email: req.user.email, displayName: req.user.displayName, locale: req.user.locale } : undefined,
      // An SSO session signs out through the IdP too (single logout), a password session locally.
      logoutAction: req.session?.method === 'sso' ? '/auth/saml/logout' : '/logout',
      currentPath: req.originalUrl,
      baseUrl: `${this.config.PUBLIC_SCHEME}://${req.headers.host ?? ''}`,
    });
    res.setHeader('Content-Language', req.locale);
    next();
  }
}
