import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import { REDIS } from '../queue/redis.module.js';
import { romeDay } from './rome-day.js';

/** The two limits of a mailbox's profile that pace it, counted in recipients as providers count them. */
export interface PacedMailbox {
  id: string;
  perMinute: number;
  perDay: number;
}

/** When to send (the caller delays the send until `at`), or not today. */
export type Reservation = { at: Date; refused?: undefined } | { refused: 'daily-quota'; retryAt: Date; at?: undefined };

/**
 * One atomic step per reservation, shared by every worker (GCRA, "virtual scheduling"): the send
 * takes the mailbox's next free instant `max(now, tat)` and moves `tat` on by `recipients × spacing`,
 * so sends are spread evenly and no amount of workers can make a burst. The daily quota is checked
 * and counted in the same call; a message larger than the whole quota still goes alone on an unused
 * day rather than never. KEYS: tat, the day's counter. ARGV: now, spacing, recipients, perDay, day end.
 */
const RESERVE = `
local now = tonumber(ARGV[1])
local spacing = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local used = tonumber(redis.call('GET', KEYS[2]) or '0')
if used > 0 and used + n > tonumber(ARGV[4]) then return {0, tonumber(ARGV[5])} end
local at = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
local tat = at + n * spacing
redis.call('SET', KEYS[1], tat, 'PX', tat - now + 60000)
redis.call('INCRBY', KEYS[2], n)
redis.call('PEXPIREAT', KEYS[2], tonumber(ARGV[5]) + 86400000)
return {1, at}`;

/**
 * The pace of each mailbox (decision 0025): messages per minute spread evenly and the daily quota of
 * its profile, for single sends and campaigns alike, across any number of worker processes.
 */
@Injectable()
export class MailboxPace {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Reserves the mailbox's next slot for a message to `recipients` recipients. A reservation is a
   * promise to the provider: a send that does not happen leaves its slot unused (never borrowed back).
   */
  async reserve(mailbox: PacedMailbox, recipients: number, now = Date.now()): Promise<Reservation> {
    const day = romeDay(now);
    const base = `${this.config.REDIS_PREFIX}:pace:${mailbox.id}`;
    const [ok, time] = (await this.redis.eval(
      RESERVE,
      2,
      `${base}:tat`,
      `${base}:day:${day.key}`,
      now,
      spacingMs(mailbox.perMinute),
      Math.max(1, recipients),
      mailbox.perDay,
      day.endsAt,
    )) as [number, number];
    return ok === 1 ? { at: new Date(time) } : { refused: 'daily-quota', retryAt: new Date(time) };
  }
}

/** Milliseconds between two recipients, rounded up so the pace never goes over the profile. */
export function spacingMs(perMinute: number): number {
  return Math.ceil(60_000 / Math.max(1, perMinute));
}
