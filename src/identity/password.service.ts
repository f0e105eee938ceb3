import { Injectable } from '@nestjs/common';
import { WorkspacePolicies } from '../policies/workspace-policies.js';
import { checkPassword, type PolicyViolation } from './password-policy.js';
import { PasswordHasher } from './password-hasher.js';
import { SessionService } from './session.service.js';
import type { User } from './user.entity.js';
import { UserRepository } from './user.repository.js';

export type PasswordChange = { outcome: 'ok' } | { outcome: 'wrong-current' } | { outcome: 'rejected'; violations: PolicyViolation[] };

/** Changing a password: checks the policy, stores the argon2id hash and ends the user's other sessions. */
@Injectable()
export class PasswordService {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly policies: WorkspacePolicies,
  ) {}

  async change(user: User, current: string, next: string, keepSessionId: string): Promise<PasswordChange> {
    if (!(await this.hasher.verify(user.passwordHash, current))) return { outcome: 'wrong-current' };
    return this.set(user, next, keepSessionId, current);
  }

  /** Sets a new password without the current one (reset link); every session of the user ends. */
  async set(user: User, next: string, keepSessionId?: string, previous?: string): Promise<PasswordChange> {
    const violations = checkPassword(next, user.email, previous, (await this.policies.current()).passwordMinLength);
    if (violations.length > 0) return { outcome: 'rejected', violations };
    await this.users.update(
      { id: user.id },
      { passwordHash: await this.hasher.hash(next), mustChangePassword: false, passwordChangedAt: new Date() },
    );
    await this.sessions.revokeAllOf(user.id, keepSessionId);
    return { outcome: 'ok' };
  }
}
