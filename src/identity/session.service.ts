import { Inject, Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import type { Grant } from '../access/principal.js';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import { WorkspacePolicies } from '../policies/workspace-policies.js';
import type { Session, SessionKind, SignInMethod } from './session.entity.js';
import { SessionRepository } from './session.repository.js';
import { hashToken, newSecretToken } from './secret-token.js';
import type { User } from './user.entity.js';

/** How often last_seen_at is written: at most once a minute per session, not on every request. */
const TOUCH_EVERY_MS = 60_000;

export interface SignedIn {
  session: Session;
  user: User;
  /** The user's roles and offices, read with the session. */
  grants: Grant[];
}

/**
 * Server-side sessions for both the web (cookie) and the API (bearer token). A session ends at its
 * absolute expiry, after the idle timeout (web), on sign-out, or when the user is blocked.
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly policies: WorkspacePolicies,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Web sessions last as the workspace's policy says; API tokens as the platform says. */
  private async lifetimeMs(kind: SessionKind): Promise<number> {
    return kind === 'web' ? (await this.policies.current()).sessionAbsoluteHours * 3_600_000 : this.config.API_TOKEN_TTL_MINUTES * 60_000;
  }

  async open(user: User, kind: SessionKind, method: SignInMethod = 'password'): Promise<{ token: string; expiresInSeconds: number }> {
    const { token, hash } = newSecretToken(kind === 'api' ? 'pft_' : '');
    const now = new Date();
    const lifetime = await this.lifetimeMs(kind);
    await this.sessions.insert({
      userId: user.id,
      kind,
      method,
      tokenHash: hash,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + lifetime),
    });
    return { token, expiresInSeconds: Math.floor(lifetime / 1000) };
  }

  /** The session and its user when the token is valid for this tenant and kind; null otherwise. */
  async validate(token: string, kind: SessionKind): Promise<SignedIn | null> {
    const found = await this.sessions.findSignedIn(hashToken(token), kind);
    if (!found) return null;
    const { session, user, grants } = found;
    const now = Date.now();
    const idleLimit = kind === 'web' ? (await this.policies.current()).sessionIdleMinutes * 60_000 : Infinity;
    if (session.expiresAt.getTime() <= now || now - session.lastSeenAt.getTime() > idleLimit) {
      await this.sessions.update({ id: session.id }, { revokedAt: new Date() });
      return null;
    }
    if (!user || user.blocked) return null;
    if (now - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) await this.sessions.update({ id: session.id }, { lastSeenAt: new Date() });
    return { session, user, grants };
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
