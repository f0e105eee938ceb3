import { Inject, Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import type { Session, SessionKind } from './session.entity.js';
import { SessionRepository } from './session.repository.js';
import { hashToken, newSecretToken } from './secret-token.js';
import type { User } from './user.entity.js';
import { UserRepository } from './user.repository.js';

/** How often last_seen_at is written: at most once a minute per session, not on every request. */
const TOUCH_EVERY_MS = 60_000;

export interface SignedIn {
  session: Session;
  user: User;
}

/**
 * Server-side sessions for both the web (cookie) and the API (bearer token). A session ends at its
 * absolute expiry, after the idle timeout (web), on sign-out, or when the user is blocked.
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly users: UserRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private lifetimeMs(kind: SessionKind): number {
    return kind === 'web' ? this.config.SESSION_ABSOLUTE_HOURS * 3_600_000 : this.config.API_TOKEN_TTL_MINUTES * 60_000;
  }

  async open(user: User, kind: SessionKind): Promise<{ token: string; expiresInSeconds: number }> {
    const { token, hash } = newSecretToken(kind === 'api' ? 'pft_' : '');
    const now = new Date();
    const lifetime = this.lifetimeMs(kind);
    await this.sessions.insert({ userId: user.id, kind, tokenHash: hash, lastSeenAt: now, expiresAt: new Date(now.getTime() + lifetime) });
    return { token, expiresInSeconds: Math.floor(lifetime / 1000) };
  }

  /** The session and its user when the token is valid for this tenant and kind; null otherwise. */
  async validate(token: string, kind: SessionKind): Promise<SignedIn | null> {
    const session = await this.sessions.findOne({ tokenHash: hashToken(token), kind, revokedAt: IsNull() });
    if (!session) return null;
    const now = Date.now();
    const idleLimit = this.config.SESSION_IDLE_MINUTES * 60_000;
    if (session.expiresAt.getTime() <= now || (kind === 'web' && now - session.lastSeenAt.getTime() > idleLimit)) {
      await this.sessions.update({ id: session.id }, { revokedAt: new Date() });
      return null;
    }
    const user = await this.users.findOne({ id: session.userId });
    if (!user || user.blocked) return null;
    if (now - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) await this.sessions.update({ id: session.id }, { lastSeenAt: new Date() });
    return { session, user };
  }

  async revoke(sessionId: string): Promise<void> {
    await this.sessions.update({ id: sessionId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  /** Ends every session of the user except, optionally, the one in use. */
  async revokeAllOf(userId: string, except?: string): Promise<void> {
    const open = await this.sessions.find({ userId, revokedAt: IsNull() });
    for (const session of open) if (session.id !== except) await this.revoke(session.id);
  }
}
