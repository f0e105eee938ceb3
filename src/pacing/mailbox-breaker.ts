import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import { REDIS } from '../queue/redis.module.js';

/** What a send may do now: go (with the ticket to report back with), or wait until `until`. */
export type Admission = { go: true; ticket: BreakerTicket } | { go: false; until: Date };

/** Which opening of the breaker a send was admitted under, and whether it is the half-open probe. */
export interface BreakerTicket {
  generation: number;
  probe: string;
}

/** What the provider's answer says about the mailbox: it talks to us, it asks us to slow down, it cannot be reached. */
export type ProviderSignal = 'answered' | 'slow-down' | 'unreachable';

export interface BreakerState {
  state: 'closed' | 'open' | 'half-open';
  /** Until when sends are deferred (open), null when closed. */
  until: Date | null;
}

/** How long the half-open probe may take before another send becomes the probe (its worker may have died). */
const PROBE_LEASE_MS = 60_000;
/** The breaker's memory (its back-off level) is forgotten after a week without news. */
const KEEP_MS = 7 * 24 * 3_600_000;

/**
 * Admission, in one call: closed → go; open before `openUntil` → wait; after it, half-open: the
 * first caller becomes the probe (a lease), the others wait a little for its outcome.
 * KEYS: the breaker hash. ARGV: now, a probe token, how long the others wait.
 */
const ADMIT = `
local now = tonumber(ARGV[1])
local gen = tonumber(redis.call('HGET', KEYS[1], 'gen') or '0')
local openUntil = tonumber(redis.call('HGET', KEYS[1], 'openUntil') or '0')
if openUntil == 0 then return {1, gen, ''} end
if now < openUntil then return {0, openUntil, ''} end
local lease = tonumber(redis.call('HGET', KEYS[1], 'probeUntil') or '0')
if lease > now then return {0, math.min(lease, now + tonumber(ARGV[3])), ''} end
redis.call('HSET', KEYS[1], 'probe', ARGV[2], 'probeUntil', now + ${PROBE_LEASE_MS})
return {1, gen, ARGV[2]}`;

/**
 * The outcome of an admitted send. The probe's answer closes the breaker, its throttle reopens it a
 * level higher; while closed, a throttle (or the Nth consecutive connection failure) opens it. A
 * report from a send admitted under an earlier opening changes nothing: the breaker already knows.
 * Back-off: base × 2^(level−1), capped, times a jitter in [0.8, 1.2) so workers do not come back together.
 * KEYS: the breaker hash. ARGV: now, generation, probe token, signal, base, cap, jitter, failures to open.
 * Returns the time until which sends wait (0: closed).
 */
const REPORT = `
local now = tonumber(ARGV[1])
local gen = tonumber(redis.call('HGET', KEYS[1], 'gen') or '0')
local openUntil = tonumber(redis.call('HGET', KEYS[1], 'openUntil') or '0')
local probe = ARGV[3] ~= '' and redis.call('HGET', KEYS[1], 'probe') == ARGV[3]
local signal = ARGV[4]
if not probe and (tonumber(ARGV[2]) ~= gen or openUntil > 0) then return openUntil end
if signal == 'answered' then
  redis.call('HDEL', KEYS[1], 'openUntil', 'probe', 'probeUntil', 'level', 'failures')
  return 0
end
if signal == 'unreachable' and not probe then
  if redis.call('HINCRBY', KEYS[1], 'failures', 1) < tonumber(ARGV[8]) then
    redis.call('PEXPIRE', KEYS[1], ${KEEP_MS})
    return 0
  end
end
local level = redis.call('HINCRBY', KEYS[1], 'level', 1)
local wait = math.min(tonumber(ARGV[6]), tonumber(ARGV[5]) * 2 ^ (level - 1)) * (0.8 + 0.4 * tonumber(ARGV[7]))
local untilAt = now + math.floor(wait)
redis.call('HSET', KEYS[1], 'openUntil', untilAt, 'gen', gen + 1, 'openedAt', now)
redis.call('HDEL', KEYS[1], 'probe', 'probeUntil', 'failures')
redis.call('PEXPIRE', KEYS[1], ${KEEP_MS})
return untilAt`;

/**
 * The per-mailbox circuit breaker on provider throttling (decision 0025), in Redis so that every
 * worker sees the same state. A deferred send was never attempted, so deferring can never send
 * anything twice.
 */
@Injectable()
export class MailboxBreaker {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async admit(mailboxId: string, now = Date.now()): Promise<Admission> {
    const token = randomUUID();
    const [go, value, probe] = (await this.redis.eval(ADMIT, 1, this.key(mailboxId), now, token, this.config.PEC_SEND_RETRY_MS)) as [
      number,
      number,
      string,
    ];
    return go === 1 ? { go: true, ticket: { generation: value, probe } } : { go: false, until: new Date(value) };
  }

  /** Tells the breaker how the admitted send went; resolves with the time sends now wait until, if open. */
  async report(mailboxId: string, ticket: BreakerTicket, signal: ProviderSignal, now = Date.now()): Promise<Date | null> {
    const until = (await this.redis.eval(
      REPORT,
      1,
      this.key(mailboxId),
      now,
      ticket.generation,
      ticket.probe,
      signal,
      this.config.PEC_SEND_RETRY_MS,
      this.config.PEC_BREAKER_MAX_MS,
      Math.random(),
      this.config.PEC_BREAKER_FAILURES,
    )) as number;
    return until > 0 ? new Date(until) : null;
  }

  /** The breakers of these mailboxes, for their pages and API (one round trip). */
  async states(mailboxIds: string[], now = Date.now()): Promise<Map<string, BreakerState>> {
    const pipeline = this.redis.pipeline();
    for (const id of mailboxIds) pipeline.hget(this.key(id), 'openUntil');
    const replies = (await pipeline.exec()) ?? [];
    return new Map(
      mailboxIds.map((id, index): [string, BreakerState] => {
        const openUntil = Number(replies[index]?.[1] ?? 0);
        if (!openUntil) return [id, { state: 'closed', until: null }];
        return [id, { state: now < openUntil ? 'open' : 'half-open', until: new Date(openUntil) }];
      }),
    );
  }

  private key(mailboxId: string): string {
    return `${this.config.REDIS_PREFIX}:pace:${mailboxId}:breaker`;
  }
}
