import { Injectable } from '@nestjs/common';
import { TenantContext } from '../db/tenant-context.js';
import { LoginThrottle } from './login-throttle.js';
import { PasswordHasher } from './password-hasher.js';
import type { User } from './user.entity.js';
import { UserRepository } from './user.repository.js';

export type AuthResult =
  { outcome: 'ok'; user: User } | { outcome: 'invalid' } | { outcome: 'locked'; retryAfterSeconds: number } | { outcome: 'blocked' };

/** Checks an e-mail and password for the current tenant, with lockout after repeated failures. */
@Injectable()
export class Authenticator {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottle,
  ) {}

  async authenticate(email: string, password: string, clientAddress: string): Promise<AuthResult> {
    const { tenantId } = TenantContext.current();
    const normalised = email.trim().toLowerCase();
    const lockedFor = await this.throttle.lockedFor(tenantId, normalised, clientAddress);
    if (lockedFor > 0) return { outcome: 'locked', retryAfterSeconds: lockedFor };
    const user = await this.users.findByEmail(normalised);
    const valid = await this.hasher.verify(user?.passwordHash ?? null, password);
    if (!user || !valid) {
      await this.throttle.recordFailure(tenantId, normalised, clientAddress);
      return { outcome: 'invalid' };
    }
    if (user.blocked) return { outcome: 'blocked' };
    await this.throttle.reset(tenantId, normalised);
    return { outcome: 'ok', user };
  }
}
