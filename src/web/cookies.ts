import type { CookieOptions } from 'express';
import type { AppConfig } from '../config/config.module.js';

export const SESSION_COOKIE = 'pf_session';
export const CSRF_COOKIE = 'pf_csrf';
export const LOCALE_COOKIE = 'pf_lang';
/** Password given, second factor still due (SignInChallenge). */
export const CHALLENGE_COOKIE = 'pf_2fa';
/** A TOTP secret being set up, sealed, until the first code confirms it. */
export const ENROLMENT_COOKIE = 'pf_totp_setup';

/** Host-only cookies (no Domain): a workspace's cookies are never sent to another workspace's host. */
export function cookieOptions(config: AppConfig, maxAgeMs?: number): CookieOptions {
  return {
    httpOnly: true,
    sameSite: 'lax',
    secure: config.PUBLIC_SCHEME === 'https',
    path: '/',
    ...(maxAgeMs ? { maxAge: maxAgeMs } : {}),
  };
}
