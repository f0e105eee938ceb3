import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import { ProblemException } from '../api/problem.js';
import { CSRF_COOKIE, cookieOptions } from './cookies.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const SKIP_CSRF = Symbol('SKIP_CSRF');

/**
 * For endpoints another site posts to by design and that carry their own proof, such as the SAML
 * assertion consumer (signed response, single-use InResponseTo). Never for a form of ours.
 */
export const SkipCsrf = (): MethodDecorator & ClassDecorator => SetMetadata(SKIP_CSRF, true);

/**
 * Signed double-submit: the browser holds a random value in an HttpOnly cookie and every form
 * carries HMAC(secret, value). A site that can plant a cookie still cannot forge the HMAC.
 */
@Injectable()
export class Csrf {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** The token for this browser's forms, creating its cookie when missing. */
  tokenFor(req: Request, res: Response): string {
    let seed = (req.cookies as Record<string, string | undefined>)[CSRF_COOKIE];
    if (!seed || !/^[\w-]{43}$/.test(seed)) {
      seed = randomBytes(32).toString('base64url');
      res.cookie(CSRF_COOKIE, seed, cookieOptions(this.config));
      (req.cookies as Record<string, string>)[CSRF_COOKIE] = seed;
    }
    return this.sign(seed);
  }

  private sign(seed: string): string {
    return createHmac('sha256', this.config.SESSION_SECRET).update(`csrf:${seed}`).digest('base64url');
  }

  verify(req: Request): boolean {
    const seed = (req.cookies as Record<string, string | undefined>)[CSRF_COOKIE];
    const body = req.body as Record<string, unknown> | undefined;
    // The query is the fallback for multipart forms: their body is parsed after guards run.
    const query = req.query as Record<string, unknown>;
    const sent =
      (typeof body?._csrf === 'string' ? body._csrf : undefined) ??
      req.header('x-csrf-token') ??
      (typeof query._csrf === 'string' ? query._csrf : undefined);
    if (!seed || !sent) return false;
    const expected = Buffer.from(this.sign(seed));
    const given = Buffer.from(sent);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}

/** Refuses state-changing page requests without a valid CSRF token. The bearer-token API is exempt: it uses no cookies. */
@Injectable()
export class CsrfGuard implements CanActivate {
  constructor(
    private readonly csrf: Csrf,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (SAFE_METHODS.has(req.method) || req.originalUrl.startsWith('/api/')) return true;
    if (this.reflector.getAllAndOverride<boolean>(SKIP_CSRF, [context.getHandler(), context.getClass()])) return true;
    if (!this.csrf.verify(req)) throw new ProblemException(403, 'csrf');
    return true;
  }
}
