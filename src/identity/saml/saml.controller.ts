import { Controller, Get, HttpCode, Inject, Logger, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ValidateInResponseTo, type Profile } from '@node-saml/passport-saml';
import type { Request, Response } from 'express';
import { ProblemException } from '../../api/problem.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.module.js';
import { translate } from '../../i18n/translate.js';
import { SESSION_COOKIE, cookieOptions } from '../../web/cookies.js';
import { SkipCsrf } from '../../web/csrf.js';
import { safeNext } from '../../web/form.js';
import { hashToken } from '../secret-token.js';
import { SignInAudit } from '../../audit/sign-in-audit.js';
import { SessionService } from '../session.service.js';
import { SamlOptionsFactory, type SamlContext } from './saml-options.js';
import { REJECTION_MESSAGES, rejectionReason } from './saml-rejection.js';
import { SamlSessionStore } from './saml-session-store.js';
import { SamlStrategy, type SamlSubject } from './saml-strategy.js';
import { identityFromProfile } from './sso-identity.js';
import { SsoSignIn } from './sso-sign-in.js';
import { SpSigningKey } from './sp-signing-key.js';

const SIGNED_OUT = '/login?signedOut=1';

function subjectOf(profile: Profile): SamlSubject {
  const { issuer, nameID, nameIDFormat, nameQualifier, spNameQualifier, sessionIndex } = profile;
  return { issuer, nameID, nameIDFormat, nameQualifier, spNameQualifier, sessionIndex };
}

/**
 * SP-initiated SAML 2.0 with the tenant's ADFS: metadata for the relying party trust, sign-in
 * (redirect to the IdP, then its signed response posted back here), and sign-out.
 */
@ApiExcludeController()
@Controller('auth/saml')
export class SamlController {
  private readonly logger = new Logger(SamlController.name);

  constructor(
    private readonly factory: SamlOptionsFactory,
    private readonly strategy: SamlStrategy,
    private readonly signIn: SsoSignIn,
    private readonly sessions: SessionService,
    private readonly subjects: SamlSessionStore,
    private readonly signingKey: SpSigningKey,
    private readonly audit: SignInAudit,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private context(req: Request): SamlContext {
    const context = this.factory.contextOf(req);
    if (!context) throw new ProblemException(404, 'not-found');
    return context;
  }

  /** Refused with the reason in the user's language; the technical one goes to the log. */
  private async rejected(req: Request, context: SamlContext, error: unknown): Promise<ProblemException> {
    const reason = rejectionReason(error);
    await this.audit.failed('', reason, req.ip ?? 'unknown', 'sso');
    this.logger.warn(
      `tenant ${context.tenant.slug}: SAML response refused (${reason}): ${error instanceof Error ? error.message : String(error)}`,
    );
    return new ProblemException(403, 'sso-rejected', translate(req.locale!, REJECTION_MESSAGES[reason], { idp: context.sso.displayName }));
  }

  @Get('metadata')
  async metadata(@Req() req: Request, @Res() res: Response): Promise<void> {
    const xml = await this.strategy.metadata(req, this.context(req));
    res.type('application/samlmetadata+xml').send(xml);
  }

  /** To the IdP with an AuthnRequest; `RelayState` is where to go after (a relative path, checked on return). */
  @Get('login')
  async login(@Req() req: Request, @Res() res: Response): Promise<void> {
    const outcome = await this.strategy.run(req, this.context(req));
    if (outcome.kind !== 'redirect') throw outcome.kind === 'error' ? outcome.error : new Error(`SAML login ended with ${outcome.kind}`);
    res.redirect(302, outcome.url);
  }

  /**
   * The assertion consumer. The IdP's page posts here from another site, so no CSRF token can come
   * with it: the response's signature and its single-use InResponseTo are the proof instead.
   */
  @Post('callback')
  @SkipCsrf()
  @HttpCode(303)
  async callback(@Req() req: Request, @Res() res: Response): Promise<void> {
    const context = this.context(req);
    const outcome = await this.strategy.run(req, context);
    if (outcome.kind !== 'success') throw await this.rejected(req, context, outcome.kind === 'error' ? outcome.error : outcome.kind);
    let identity;
    try {
      identity = identityFromProfile(outcome.profile, context.sso.claims);
    } catch (error) {
      throw await this.rejected(req, context, error);
    }
    const admission = await this.signIn.admit(identity, context.sso);
    switch (admission.outcome) {
      case 'not-enabled':
        await this.audit.failed(identity.email, 'not-enabled', req.ip ?? 'unknown', 'sso');
        throw new ProblemException(403, 'sso-account-not-enabled', translate(req.locale!, 'sso.notEnabled'));
      case 'blocked':
        await this.audit.failed(identity.email, 'blocked', req.ip ?? 'unknown', 'sso');
        throw new ProblemException(403, 'account-blocked', translate(req.locale!, 'login.blocked'));
      case 'ok':
        break;
    }
    // As with the password form: a new session token at every sign-in.
    if (req.session) await this.sessions.revoke(req.session.id);
    // Opened as an SSO session: the workspace's TOTP rule is for local passwords, the IdP has its own.
    const { token, expiresInSeconds } = await this.sessions.open(admission.user, 'web', 'sso');
    await this.audit.outcome({ outcome: 'ok', user: admission.user }, admission.user.email, req.ip ?? 'unknown', 'sso');
    await this.subjects.remember(context.tenant.id, hashToken(token), subjectOf(outcome.profile), expiresInSeconds);
    // Lax is enough: the cookie is set by this response, and the redirect that follows is a top-level GET.
    res.cookie(SESSION_COOKIE, token, cookieOptions(this.config, expiresInSeconds * 1000));
    const relayState = (req.body as Record<string, unknown> | undefined)?.RelayState;
    res.redirect(303, admission.user.mustChangePassword ? '/password/change' : safeNext(relayState));
  }

  /**
   * Sign-out (a form of ours, so CSRF-checked): the local session ends at once; then, when the IdP
   * has single logout and we can sign the LogoutRequest (ADFS wants it signed), on to the IdP.
   */
  @Post('logout')
  async logout(@Req() req: Request, @Res() res: Response): Promise<void> {
    const context = this.factory.contextOf(req);
    let subject: SamlSubject | null = null;
    if (req.session) {
      if (context) subject = await this.subjects.take(context.tenant.id, req.session.tokenHash);
      await this.sessions.revoke(req.session.id);
    }
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    if (context?.sso.idp.sloUrl && subject && this.signingKey.enabled && subject.issuer === context.sso.idp.entityId) {
      return res.redirect(303, await this.strategy.logoutUrl(context, subject, SIGNED_OUT));
    }
    res.redirect(303, SIGNED_OUT);
  }

  /** The IdP's LogoutResponse, by the Redirect binding… */
  @Get('logout/callback')
  logoutRedirected(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.logoutAnswered(req, res);
  }

  /** …or by the POST binding, posted from the IdP's page like the sign-in response. */
  @Post('logout/callback')
  @SkipCsrf()
  @HttpCode(303)
  logoutPosted(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.logoutAnswered(req, res);
  }

  private async logoutAnswered(req: Request, res: Response): Promise<void> {
    const context = this.context(req);
    // node-saml 5.1 looks for InResponseTo on a <Response> only, so with 'always' it refuses every
    // POSTed LogoutResponse; 'ifPresent' still checks it on the Redirect binding, and POST needs a signature.
    const logout = { ...context, options: { ...context.options, validateInResponseTo: ValidateInResponseTo.ifPresent } };
    const outcome = await this.strategy.run(req, logout);
    if (outcome.kind === 'pass') return res.redirect(303, SIGNED_OUT);
    const detail = outcome.kind === 'error' && outcome.error instanceof Error ? outcome.error.message : outcome.kind;
    this.logger.warn(`tenant ${context.tenant.slug}: SAML logout response refused: ${detail}`);
    // The local session is already gone; only the IdP's side could not be confirmed.
    throw new ProblemException(400, 'sso-rejected', translate(req.locale!, 'sso.logoutUnconfirmed', { idp: context.sso.displayName }));
  }
}
