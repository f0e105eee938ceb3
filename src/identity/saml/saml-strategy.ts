import { Injectable } from '@nestjs/common';
import { MultiSamlStrategy, SAML, type Profile, type VerifiedCallback } from '@node-saml/passport-saml';
import type { Request } from 'express';
import { checkAssertion } from './assertion-checks.js';
import { SamlOptionsFactory, type SamlContext } from './saml-options.js';
import { SpSigningKey } from './sp-signing-key.js';

/** How a passport strategy ended one request; passport itself would write the response instead. */
export type StrategyOutcome =
  | { kind: 'success'; profile: Profile }
  | { kind: 'redirect'; url: string }
  | { kind: 'pass' }
  | { kind: 'fail' }
  | { kind: 'error'; error: unknown };

interface StrategyActions {
  success(user: unknown): void;
  fail(): void;
  redirect(url: string): void;
  pass(): void;
  error(error: unknown): void;
}

/** passport-saml's types are written against Express 4's Request; the fields it reads are the same in 5. */
type LibraryRequest = Parameters<MultiSamlStrategy['authenticate']>[0];

/** The SAML context the strategy's callbacks work in, put on the request for getSamlOptions and verify. */
const CONTEXT = Symbol('samlContext');

function withContext(req: Request, context: SamlContext): LibraryRequest {
  Object.assign(req, { [CONTEXT]: context });
  return req as unknown as LibraryRequest;
}

function contextOf(req: LibraryRequest): SamlContext | undefined {
  return (req as unknown as { [CONTEXT]?: SamlContext })[CONTEXT];
}

/**
 * passport-saml's MultiSamlStrategy, the tenant chosen from the Host: getSamlOptions gives the
 * options of the tenant TenantResolverMiddleware found. It is driven without passport's middleware
 * so the controller decides what to answer, and nothing is kept in a global passport instance.
 */
@Injectable()
export class SamlStrategy {
  private readonly strategy: MultiSamlStrategy;

  constructor(
    private readonly factory: SamlOptionsFactory,
    private readonly signingKey: SpSigningKey,
  ) {
    this.strategy = new MultiSamlStrategy(
      {
        passReqToCallback: true,
        getSamlOptions: (req, done) => {
          const context = contextOf(req);
          return context ? done(null, context.options) : done(new Error('SAML: no SSO context for this request'));
        },
      },
      (req, profile, done) => this.verify(req, profile, done),
      (_req, _profile, done) => done(new Error('SAML: IdP-initiated sign-out is not supported')),
    );
  }

  private verify(req: LibraryRequest, profile: Profile | null, done: VerifiedCallback): void {
    const context = contextOf(req);
    if (!profile || !context) return done(new Error('SAML: no profile'));
    checkAssertion(profile, context).then(
      () => done(null, profile),
      (error: Error) => done(error),
    );
  }

  /** Runs the strategy on a request of the context's tenant: a sign-in redirect, a response check, or a logout response. */
  run(req: Request, context: SamlContext): Promise<StrategyOutcome> {
    const request = withContext(req, context);
    return new Promise((resolve) => {
      const attempt = Object.create(this.strategy) as MultiSamlStrategy & StrategyActions;
      attempt.success = (user) => resolve({ kind: 'success', profile: user as Profile });
      attempt.fail = () => resolve({ kind: 'fail' });
      attempt.redirect = (url) => resolve({ kind: 'redirect', url });
      attempt.pass = () => resolve({ kind: 'pass' });
      attempt.error = (error) => resolve({ kind: 'error', error });
      attempt.authenticate(request, {});
    });
  }

  /** The SP metadata ADFS imports (Add Relying Party Trust → import from URL). */
  metadata(req: Request, context: SamlContext): Promise<string> {
    const request = withContext(req, context);
    return new Promise((resolve, reject) =>
      this.strategy.generateServiceProviderMetadata(request, null, this.signingKey.certificate, (error, xml) =>
        error || !xml ? reject(error ?? new Error('SAML: no metadata')) : resolve(xml),
      ),
    );
  }

  /** The IdP's SLO address with a signed LogoutRequest for the signed-in NameID and session. */
  logoutUrl(context: SamlContext, subject: SamlSubject, relayState: string): Promise<string> {
    return new SAML(context.options).getLogoutUrlAsync(subject as Profile, relayState, {});
  }
}

/** What a LogoutRequest must repeat from the assertion, or ADFS answers status:Requester. */
export interface SamlSubject {
  issuer: string;
  nameID: string;
  nameIDFormat: string;
  nameQualifier?: string;
  spNameQualifier?: string;
  sessionIndex?: string;
}
