import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { ActorDirectory } from '../access/actors.js';
import { TenantContext } from '../db/tenant-context.js';
import { translate, type MessageKey } from '../i18n/translate.js';
import { UserRepository } from '../identity/user.repository.js';
import { Mailer } from '../mail/mailer.js';

/** One alert about the workspace's beats: what it is, which occurrence, and its text. */
export interface BeatsAlert {
  /** `beats-overdraft`, `beats-low-balance`, `beats-pack-expiring`. */
  kind: string;
  /** Which occurrence of the alert (a day, a crossing, a pack and warning): mailed once each. */
  occurrence: string;
  subject: MessageKey;
  text: MessageKey;
  params: Record<string, string | number>;
}

/**
 * The one way the beats meter alerts a workspace's admins (overdraft, low balance, packs expiring):
 * an e-mail to each unblocked admin, in their language, through the mail queue. The job id is the
 * alert's kind, tenant, occurrence and admin, so raising the same occurrence again queues nothing.
 */
@Injectable()
export class BeatsAdminAlerts {
  constructor(
    private readonly actors: ActorDirectory,
    private readonly users: UserRepository,
    private readonly mailer: Mailer,
  ) {}

  async mail(alert: BeatsAlert): Promise<void> {
    const ids = await this.actors.usersOf(
      [{ kind: 'role', role: 'admin', office: null }],
      async (email) => (await this.users.findOne({ email }))?.id ?? null,
    );
    const admins = ids.length > 0 ? (await this.users.find({ id: In(ids) })).filter((user) => !user.blocked) : [];
    const { tenantId } = TenantContext.current();
    for (const admin of admins) {
      const locale = admin.locale ?? 'it';
      await this.mailer.send(
        { to: admin.email, subject: translate(locale, alert.subject, alert.params), text: translate(locale, alert.text, alert.params) },
        { id: `${alert.kind}:${tenantId}:${alert.occurrence}:${admin.id}` },
      );
    }
  }
}
