import type { Redis } from 'ioredis';

/** Sending limits of one mailbox, counted in recipients (what PEC tenders and provider plans limit). */
export interface SendingLimits {
  perMinute: number;
  perDay: number;
}

/** Named profiles a mailbox can be given; `standard` is the usual tender profile (50/min, 500/day). */
export const PROFILES: Record<string, SendingLimits> = {
  standard: { perMinute: 50, perDay: 500 },
  professionale: { perMinute: 200, perDay: 5_000 },
  massivo: { perMinute: 1_000, perDay: 50_000 },
};

export type RateVerdict = { ok: true } | { ok: false; window: 'minute' | 'day' };

// Both windows in one round trip: count first, then refuse (and undo) if a window is over.
const SCRIPT = `
local m = redis.call('INCR', KEYS[1])
if m == 1 then redis.call('EXPIRE', KEYS[1], 120) end
local d = redis.call('INCR', KEYS[2])
if d == 1 then redis.call('EXPIRE', KEYS[2], 172800) end
if m > tonumber(ARGV[1]) then
  redis.call('DECR', KEYS[1]); redis.call('DECR', KEYS[2]); return 1
end
if d > tonumber(ARGV[2]) then
  redis.call('DECR', KEYS[1]); redis.call('DECR', KEYS[2]); return 2
end
return 0`;

/**
 * Per-mailbox counters in Redis, fixed windows (the current minute, the current UTC day), so every
 * provider process counts against the same limits. A refused recipient does not count.
 */
export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async take(mailbox: string, limits: SendingLimits, now = new Date()): Promise<RateVerdict> {
    const minute = Math.floor(now.getTime() / 60_000);
    const day = now.toISOString().slice(0, 10);
    const base = `${this.prefix}:pec-provider:rate:${mailbox}`;
    const result = (await this.redis.eval(SCRIPT, 2, `${base}:m:${minute}`, `${base}:d:${day}`, limits.perMinute, limits.perDay)) as number;
    if (result === 1) return { ok: false, window: 'minute' };
    if (result === 2) return { ok: false, window: 'day' };
    return { ok: true };
  }
}
