import { Injectable } from '@nestjs/common';
import QRCode from 'qrcode';
import { ProblemException } from '../api/problem.js';
import { ActivityLog } from '../audit/activity-log.js';
import type { EffectivePolicy } from '../policies/workspace-policies.js';
import { SecretBox } from '../secrets/secret-box.js';
import { newTotpSecret, otpauthUri, verifyTotp } from './totp.js';
import type { User } from './user.entity.js';
import { UserRepository } from './user.repository.js';

export interface Enrolment {
  secret: string;
  uri: string;
  qrSvg: string;
  /** The secret sealed for the browser to hand back with the confirming code. */
  pending: string;
}

/** The TOTP second factor of local accounts: enrolment, checking codes, and the workspace's rule. */
@Injectable()
export class SecondFactor {
  constructor(
    private readonly users: UserRepository,
    private readonly box: SecretBox,
    private readonly activity: ActivityLog,
  ) {}

  isEnrolled(user: User): boolean {
    return user.totpSecret !== null;
  }

  requiredFor(roles: readonly string[], policy: EffectivePolicy): boolean {
    return policy.secondFactor === 'everyone' || (policy.secondFactor === 'admins' && roles.includes('admin'));
  }

  async start(user: User, issuer: string): Promise<Enrolment> {
    const secret = newTotpSecret();
    const uri = otpauthUri(issuer, user.email, secret);
    const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return { secret, uri, qrSvg, pending: this.box.seal(secret, `enrol:${user.id}`) };
  }

  async confirm(user: User, pending: string, code: string): Promise<boolean> {
    let secret: string;
    try {
      secret = this.box.open(pending, `enrol:${user.id}`);
    } catch {
      return false;
    }
    const step = verifyTotp(secret, code, Date.now(), null);
    if (step === null) return false;
    await this.users.update({ id: user.id }, { totpSecret: this.box.seal(secret, user.id), totpLastStep: String(step) });
    await this.activity.record({
      action: 'auth.second-factor-enabled',
      actor: { id: user.id, email: user.email },
      resource: { type: 'user', id: user.id },
    });
    return true;
  }

  async disable(user: User, code: string, required: boolean): Promise<boolean> {
    if (required) throw new ProblemException(409, 'conflict', 'second-factor-required-by-policy');
    if (!(await this.check(user, code))) return false;
    await this.users.update({ id: user.id }, { totpSecret: null, totpLastStep: null });
    await this.activity.record({
      action: 'auth.second-factor-disabled',
      actor: { id: user.id, email: user.email },
      resource: { type: 'user', id: user.id },
    });
    return true;
  }

  /**
   * Checks a code and spends its time step in one statement, so two requests racing with the same
   * code cannot both succeed.
   */
  async check(user: User, code: string): Promise<boolean> {
    if (!user.totpSecret) return false;
    const step = verifyTotp(
      this.box.open(user.totpSecret, user.id),
      code,
      Date.now(),
      user.totpLastStep === null ? null : Number(user.totpLastStep),
    );
    return step !== null && (await this.users.spendTotpStep(user.id, step));
  }
}
