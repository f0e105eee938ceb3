import { Injectable, Logger } from '@nestjs/common';
import { IsNull, MoreThan } from 'typeorm';
import { TenantContext } from '../db/tenant-context.js';
import type { Locale } from '../i18n/locale.js';
import { translate } from '../i18n/translate.js';
import { Mailer } from '../mail/mailer.js';
import { PasswordResetRepository } from './password-reset.repository.js';
import { PasswordService, type PasswordChange } from './password.service.js';
import { hashToken, newSecretToken } from './secret-token.js';
import { UserRepository } from './user.repository.js';

export const RESET_LINK_MINUTES = 60;

/** Password reset by e-mail link: one-time, time-limited, and silent about which addresses exist. */
@Injectable()
export class PasswordResetService {
  private readonly logger = new Logger(PasswordResetService.name);

  constructor(
    private readonly resets: PasswordResetRepository,
    private readonly users: UserRepository,
    private readonly passwords: PasswordService,
    private readonly mailer: Mailer,
  ) {}

  /** Sends the link when the address belongs to an active user; does nothing visible otherwise. */
  async request(email: string, tenantName: string, baseUrl: string, locale: Locale): Promise<void> {
    const user = await this.users.findByEmail(email);
    if (!user || user.blocked) return;
    const { token, hash } = newSecretToken();
    await this.resets.insert({ userId: user.id, tokenHash: hash, expiresAt: new Date(Date.now() + RESET_LINK_MINUTES * 60_000) });
    const language = user.locale ?? locale;
    const link = `${baseUrl}/password/reset?token=${encodeURIComponent(token)}`;
    await this.mailer.send({
      to: user.email,
      subject: translate(language, 'password.reset.mail.subject', { tenant: tenantName }),
      text: translate(language, 'password.reset.mail.body', {
        name: user.displayName,
        tenant: tenantName,
        minutes: RESET_LINK_MINUTES,
        link,
      }),
    });
    this.logger.log(`password reset link sent to user ${user.id} of tenant ${TenantContext.current().slug}`);
  }

  async isUsable(token: string): Promise<boolean> {
    return (await this.findUsable(token)) !== null;
  }

  /** Sets the password when the link is still good; the link is spent only when the password is accepted. */
  async complete(token: string, password: string): Promise<PasswordChange | { outcome: 'invalid-link' }> {
    const reset = await this.findUsable(token);
    const user = reset && (await this.users.findOne({ id: reset.userId }));
    if (!reset || !user || user.blocked) return { outcome: 'invalid-link' };
    const result = await this.passwords.set(user, password);
    if (result.outcome === 'ok') await this.resets.update({ userId: user.id, usedAt: IsNull() }, { usedAt: new Date() });
    return result;
  }

  private findUsable(token: string) {
    return this.resets.findOne({ tokenHash: hashToken(token), usedAt: IsNull(), expiresAt: MoreThan(new Date()) });
  }
}
