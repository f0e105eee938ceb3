import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import { ProblemException } from '../api/problem.js';
import { CSRF_COOKIE, cookieOptions } from './cookies.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

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
    const sent = (typeof body?._csrf === 'string' ? body._csrf : undefined) ?? req.header('x-csrf-token');
    if (!seed || !sent) return false;
    const expected = Buffer.from(this.sign(seed));
    const given = Buffer.from(sent);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}

/** Refuses state-changing page requests without a valid CSRF token. The bearer-token API is exempt: it uses no cookies. */
@Injectable()
export class CsrfGuard implements CanActivate {
  constructor(private readonly csrf: Csrf) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (SAFE_METHODS.has(req.method) || req.originalUrl.startsWith('/api/')) return true;
    if (!this.csrf.verify(req)) throw new ProblemException(403, 'csrf');
    return true;
  }
}
