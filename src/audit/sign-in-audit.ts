import { Injectable } from '@nestjs/common';
import type { AuthResult } from '../identity/authenticator.js';
import { ActivityLog } from './activity-log.js';

type Channel = 'web' | 'api' | 'sso';

/** Sign-in outcomes as activity entries, the same for the web form, the API token endpoint and SSO. */
@Injectable()
export class SignInAudit {
  constructor(private readonly activity: ActivityLog) {}

  async outcome(result: AuthResult, email: string, ip: string, channel: Channel): Promise<void> {
    if (result.outcome === 'ok') {
      await this.activity.record({
        action: 'auth.sign-in',
        actor: { id: result.user.id, email: result.user.email },
        resource: { type: 'user', id: result.user.id },
        details: { channel },
        ip,
      });
      return;
    }
    await this.failed(email, result.outcome, ip, channel);
  }

  /** A refused sign-in; the e-mail is what was typed (or asserted by the IdP), possibly nobody's. */
  async failed(email: string, reason: string, ip: string, channel: Channel): Promise<void> {
    await this.activity.record({
      action: 'auth.sign-in-failed',
      actor: 'system',
      details: { email: email.trim().toLowerCase(), reason, channel },
      ip,
    });
  }

  async signOut(user: { id: string; email: string }, ip: string): Promise<void> {
    await this.activity.record({
      action: 'auth.sign-out',
      actor: { id: user.id, email: user.email },
      resource: { type: 'user', id: user.id },
      ip,
    });
  }
}
