import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../config/config.module.js';
import { REDIS } from '../../queue/redis.module.js';

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Which worker reads a mailbox: a Redis key per mailbox holding this worker's token, set only if
 * absent and renewed well within its TTL. A worker that dies stops renewing, the key expires and
 * another worker takes the mailbox over. Exactly-once does not rest on it (the UNIQUE key does);
 * it keeps one IMAP session per mailbox.
 */
@Injectable()
export class IntakeLease {
  /** This process's identity in the lease keys. */
  readonly token = randomUUID();
  private readonly ttlMs: number;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.ttlMs = Math.round(config.PEC_INTAKE_LEASE_SECONDS * 1000);
  }

  /** How often the supervisor renews: a quarter of the TTL leaves three chances before it expires. */
  get renewEveryMs(): number {
    return Math.max(250, Math.round(this.ttlMs / 4));
  }

  async acquire(mailboxId: string): Promise<boolean> {
    return (await this.redis.set(this.key(mailboxId), this.token, 'PX', this.ttlMs, 'NX')) === 'OK';
  }

  async renew(mailboxId: string): Promise<boolean> {
    return Number(await this.redis.eval(RENEW, 1, this.key(mailboxId), this.token, this.ttlMs)) === 1;
  }

  async release(mailboxId: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(mailboxId), this.token);
  }

  private key(mailboxId: string): string {
    return `${this.config.REDIS_PREFIX}:pec-intake:lease:${mailboxId}`;
  }
}
