import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';

const LIFETIME_MS = 5 * 60_000;

/**
 * Between the password and the second factor: a short-lived, signed note that this user has given
 * the right password. It opens nothing by itself; only a valid code turns it into a session.
 */
@Injectable()
export class SignInChallenge {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private sign(payload: string): string {
    return createHmac('sha256', this.config.SESSION_SECRET).update(`second-factor:${payload}`).digest('base64url');
  }

  issue(userId: string, tenantId: string, now = Date.now()): string {
    const payload = `${userId}.${tenantId}.${now + LIFETIME_MS}`;
    return `${payload}.${this.sign(payload)}`;
  }

  /** The user id when the note is genuine, for this tenant, and not expired. */
  read(token: string | undefined, tenantId: string, now = Date.now()): string | null {
    const [userId, forTenant, expires, signature] = (token ?? '').split('.');
    if (!userId || !forTenant || !expires || !signature || forTenant !== tenantId || Number(expires) < now) return null;
    const expected = Buffer.from(this.sign(`${userId}.${forTenant}.${expires}`));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given) ? userId : null;
  }
}
