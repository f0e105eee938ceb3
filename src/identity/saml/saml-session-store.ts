import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../../config/config.module.js';
import { REDIS } from '../../queue/redis.module.js';
import type { SamlSubject } from './saml-strategy.js';

const subjectSchema = z.object({
  issuer: z.string(),
  nameID: z.string(),
  nameIDFormat: z.string(),
  nameQualifier: z.string().optional(),
  spNameQualifier: z.string().optional(),
  sessionIndex: z.string().optional(),
});

/**
 * Remembers, for a web session opened by SSO, the NameID and SessionIndex a LogoutRequest must
 * repeat. Kept in Redis for the session's lifetime: losing it only turns the next sign-out into a
 * local one, so it is not data of record.
 */
@Injectable()
export class SamlSessionStore {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Sessions are found by the hash of their token, which both the cookie's owner and the table know. */
  private key(tenantId: string, tokenHash: Buffer): string {
    return `${this.config.REDIS_PREFIX}:saml:${tenantId}:session:${tokenHash.toString('hex')}`;
  }

  async remember(tenantId: string, tokenHash: Buffer, subject: SamlSubject, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.key(tenantId, tokenHash), JSON.stringify(subjectSchema.parse(subject)), 'EX', ttlSeconds);
  }

  /** The session's SAML subject, forgotten as it is read (sign-out happens once). */
  async take(tenantId: string, tokenHash: Buffer): Promise<SamlSubject | null> {
    const raw = await this.redis.getdel(this.key(tenantId, tokenHash));
    if (!raw) return null;
    const parsed = subjectSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  }
}
