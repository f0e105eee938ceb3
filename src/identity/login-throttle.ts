import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import { REDIS } from '../queue/redis.module.js';

/** Failures from one address across all accounts before it is slowed down too (credential stuffing). */
const PER_ADDRESS_FACTOR = 4;

/**
 * Counts failed sign-ins per account and per client address in Redis; past the limit the account
 * (or address) is locked for LOGIN_LOCKOUT_MINUTES. Counters are shared by every web replica.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private keys(tenantId: string, email: string, ip: string): [string, string] {
    const base = `${this.config.REDIS_PREFIX}:login-failures`;
    return [`${base}:account:${tenantId}:${email.toLowerCase()}`, `${base}:address:${tenantId}:${ip}`];
  }

  /** Seconds until the account or address may try again; 0 when it may try now. */
  async lockedFor(tenantId: string, email: string, ip: string): Promise<number> {
    const [account, address] = this.keys(tenantId, email, ip);
    const [accountCount, addressCount] = await this.redis.mget(account, address);
    const max = this.config.LOGIN_MAX_FAILURES;
    const ttls = await Promise.all([
      Number(accountCount ?? 0) >= max ? this.redis.ttl(account) : 0,
      Number(addressCount ?? 0) >= max * PER_ADDRESS_FACTOR ? this.redis.ttl(address) : 0,
    ]);
    return Math.max(0, ...ttls);
  }

  async recordFailure(tenantId: string, email: string, ip: string): Promise<void> {
    const window = this.config.LOGIN_LOCKOUT_MINUTES * 60;
    const pipeline = this.redis.multi();
    for (const key of this.keys(tenantId, email, ip)) pipeline.incr(key).expire(key, window);
    await pipeline.exec();
  }

  async reset(tenantId: string, email: string): Promise<void> {
    await this.redis.del(this.keys(tenantId, email, '')[0]);
  }
}
