import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../../src/config/config.module.js';
import { loadConfig } from '../../src/config/load-config.js';
import { MailboxBreaker } from '../../src/pacing/mailbox-breaker.js';
import { MailboxPace } from '../../src/pacing/mailbox-pace.js';
import { connectRedis } from '../../src/queue/redis.module.js';

/**
 * The pace and the breaker on the real Redis, each "worker" with its own connection, at chosen
 * instants (`now` is a parameter): the exact slots and states, with no timing in the verdict.
 */
describe('mailbox pace and circuit breaker in Redis', () => {
  const config: AppConfig = loadConfig({
    ...process.env,
    PEC_SEND_RETRY_MS: '1000',
    PEC_BREAKER_MAX_MS: '4000',
    PEC_BREAKER_FAILURES: '3',
  });
  const connections: Redis[] = [];
  const worker = () => {
    const redis = connectRedis(config);
    connections.push(redis);
    return { pace: new MailboxPace(redis, config), breaker: new MailboxBreaker(redis, config) };
  };
  const workers = Array.from({ length: 4 }, worker);
  const t0 = Date.parse('2026-11-26T09:00:00Z');

  afterAll(async () => {
    await Promise.all(connections.map((redis) => redis.quit()));
  });

  it('gives four workers reserving at once distinct slots, evenly spaced by the profile (120/min: 500 ms)', async () => {
    const mailbox = { id: randomUUID(), perMinute: 120, perDay: 10_000 };
    const slots = await Promise.all(
      Array.from({ length: 40 }, (_, n) => workers[n % 4]!.pace.reserve(mailbox, 1, t0)).map(async (reservation) =>
        (await reservation).at!.getTime(),
      ),
    );
    const sorted = [...slots].sort((a, b) => a - b);
    expect(sorted[0]).toBe(t0);
    expect(sorted.slice(1).map((slot, n) => slot - sorted[n]!)).toEqual(Array(39).fill(500));
  });

  it('counts a message by its recipients and does not save up unused time for a burst', async () => {
    const mailbox = { id: randomUUID(), perMinute: 60, perDay: 10_000 };
    expect((await workers[0]!.pace.reserve(mailbox, 3, t0)).at!.getTime()).toBe(t0);
    expect((await workers[1]!.pace.reserve(mailbox, 1, t0)).at!.getTime()).toBe(t0 + 3_000);
    // An hour idle: the next send goes now, and the one after still a spacing later.
    expect((await workers[2]!.pace.reserve(mailbox, 1, t0 + 3_600_000)).at!.getTime()).toBe(t0 + 3_600_000);
    expect((await workers[3]!.pace.reserve(mailbox, 1, t0 + 3_600_000)).at!.getTime()).toBe(t0 + 3_601_000);
  });

  it('refuses past the daily quota until midnight in Rome, and starts afresh the next day', async () => {
    const mailbox = { id: randomUUID(), perMinute: 6_000, perDay: 5 };
    const results = [];
    for (let n = 0; n < 4; n += 1) results.push(await workers[n]!.pace.reserve(mailbox, 2, t0));
    expect(results.map((r) => r.refused ?? 'ok')).toEqual(['ok', 'ok', 'daily-quota', 'daily-quota']);
    expect(results[2]).toEqual({ refused: 'daily-quota', retryAt: new Date('2026-11-26T23:00:00Z') });
    expect((await workers[0]!.pace.reserve(mailbox, 1, t0)).at).toBeDefined();
    expect((await workers[0]!.pace.reserve(mailbox, 1, t0)).refused).toBe('daily-quota');
    expect((await workers[1]!.pace.reserve(mailbox, 2, Date.parse('2026-11-26T23:00:01Z'))).at).toBeDefined();
  });

  it('opens on a throttle, lets one probe through when half-open, reopens longer on its throttle, closes on its success', async () => {
    const id = randomUUID();
    const [a, b, c] = workers;
    const first = await a!.breaker.admit(id, t0);
    const second = await b!.breaker.admit(id, t0);
    expect(first.go && second.go).toBe(true);
    const opened = (await a!.breaker.report(id, first.go ? first.ticket : never(), 'slow-down', t0))!.getTime();
    expect(opened - t0).toBeGreaterThanOrEqual(800);
    expect(opened - t0).toBeLessThan(1_200);
    // The other send was admitted before the opening: its throttle changes nothing, its success does not close.
    expect((await b!.breaker.report(id, second.go ? second.ticket : never(), 'answered', t0 + 10))!.getTime()).toBe(opened);
    expect(await c!.breaker.admit(id, t0 + 500)).toEqual({ go: false, until: new Date(opened) });
    expect((await a!.breaker.states([id], t0 + 500)).get(id)).toEqual({ state: 'open', until: new Date(opened) });

    // Half-open: of three at once, one probes, the others wait.
    const admissions = await Promise.all(workers.slice(0, 3).map((w) => w.breaker.admit(id, opened + 1)));
    const probes = admissions.filter((admission) => admission.go);
    expect(probes).toHaveLength(1);
    expect(admissions.filter((admission) => !admission.go)).toHaveLength(2);
    const reopened = (await a!.breaker.report(id, probes[0]!.go ? probes[0]!.ticket : never(), 'slow-down', opened + 2))!.getTime();
    expect(reopened - opened).toBeGreaterThanOrEqual(1_600);
    expect(reopened - opened).toBeLessThan(2_400);

    const probe = await b!.breaker.admit(id, reopened);
    expect(probe.go && probe.ticket.probe).toBeTruthy();
    expect(await b!.breaker.report(id, probe.go ? probe.ticket : never(), 'answered', reopened + 5)).toBeNull();
    expect((await a!.breaker.states([id])).get(id)).toEqual({ state: 'closed', until: null });
    expect((await c!.breaker.admit(id, reopened + 6)).go).toBe(true);
  });

  it('opens after N consecutive connection failures, not before; a success in between starts the count again', async () => {
    const id = randomUUID();
    const fail = async () => {
      const admission = await workers[0]!.breaker.admit(id, t0);
      return workers[0]!.breaker.report(id, admission.go ? admission.ticket : never(), 'unreachable', t0);
    };
    expect(await fail()).toBeNull();
    expect(await fail()).toBeNull();
    const ok = await workers[1]!.breaker.admit(id, t0);
    expect(await workers[1]!.breaker.report(id, ok.go ? ok.ticket : never(), 'answered', t0)).toBeNull();
    expect(await fail()).toBeNull();
    expect(await fail()).toBeNull();
    expect(await fail()).not.toBeNull();
  });

  it('caps the back-off (PEC_BREAKER_MAX_MS)', async () => {
    const id = randomUUID();
    let now = t0;
    let until = 0;
    for (let n = 0; n < 6; n += 1) {
      const admission = await workers[0]!.breaker.admit(id, now);
      until = (await workers[0]!.breaker.report(id, admission.go ? admission.ticket : never(), 'slow-down', now))!.getTime();
      expect(until - now).toBeLessThan(4_000 * 1.2);
      now = until;
    }
    expect(until - t0).toBeGreaterThan(1_000 * 0.8 * (1 + 2 + 4) + 4_000 * 0.8 * 3);
  });
});

function never(): never {
  throw new Error('expected an admission');
}
