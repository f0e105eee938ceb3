import { Injectable } from '@nestjs/common';
import type { AuthResult } from '../identity/authenticator.js';
import { ActivityLog } from './activity-log.js';

/** Sign-in outcomes as activity entries, the same for the web form and the API token endpoint. */
@Injectable()
export class SignInAudit {
  constructor(private readonly activity: ActivityLog) {}

  async outcome(result: AuthResult, email: string, ip: string, channel: 'web' | 'api'): Promise<void> {
    const attempted = email.trim().toLowerCase();
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
    await this.activity.record({
      action: 'auth.sign-in-failed',
      actor: 'system',
      details: { email: attempted, reason: result.outcome, channel },
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
