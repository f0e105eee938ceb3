import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import pg from 'pg';
import request from 'supertest';
import type { LogEntry } from '../../src/pec-provider/transmission-log.js';
import { eventually } from '../support/eventually.js';
import { startPecProvider, type PecProviderHarness } from '../support/pec-provider.js';
import { demoAdminToken, SpawnedRoles } from '../support/spawned-roles.js';

jest.setTimeout(240_000);

/**
 * Three built worker processes send through one mailbox at a time; the local provider's log says
 * when each message really arrived. The profile's pace must hold across the processes (evenly
 * spaced, never a burst), the daily quota too, and a provider throttle must slow the whole
 * mailbox down (breaker open, sends deferred, one probe, closed again) without sending anything twice.
 */
const HOST = 'demo.localhost';
const WORKERS = 3;
const SPACING_MS = 1_000;

const tag = randomBytes(4).toString('hex');
const even = { address: `ritmo-${tag}@pec.demo.test`, password: '' };
const quota = { address: `quota-${tag}@pec.demo.test`, password: '' };
const slowed = { address: `lenta-${tag}@pec.demo.test`, password: '' };
const recipient = { address: `ricevente-${tag}@pec.acme.test`, password: '' };

const roles = new SpawnedRoles('mailbox-pacing', {
  // The breaker's first back-off is 3 s here (30 s by default), at most 10 s.
  PEC_SEND_RETRY_MS: '3000',
  PEC_BREAKER_MAX_MS: '10000',
  HOST: '127.0.0.1',
});

describe('mailbox pace across worker processes (built dist/)', () => {
  let provider: PecProviderHarness;
  let db: pg.Client;
  let url: string;
  let token: string;

  beforeAll(async () => {
    // Legalmail's answer to the first two sessions of `lenta`: 550 5.7.1 … Too much traffic from this sender.
    provider = await startPecProvider({
      PEC_PROVIDER_LATENCY_MS: '20',
      PEC_PROVIDER_FAULTS: JSON.stringify([{ match: slowed.address, action: 'throttle', times: 2 }]),
    });
    // The provider itself never limits these: what is measured is pecflow's own pace.
    const unlimited = { perMinute: 100_000, perDay: 1_000_000 };
    [even.password, quota.password, slowed.password, recipient.password] = await Promise.all([
      provider.mailbox(even.address, unlimited),
      provider.mailbox(quota.address, unlimited),
      provider.mailbox(slowed.address, unlimited),
      provider.mailbox(recipient.address),
    ]);
    await roles.createDemoDatabase();
    db = new pg.Client({ connectionString: roles.databaseUrl });
    await db.connect();
    url = (await roles.startWeb()).url;
    // Booting three Nest processes at once on two cores takes a while.
    await Promise.all(
      Array.from({ length: WORKERS }, () => roles.startRole('worker', /worker listening on queue pec-send/, { timeoutMs: 180_000 })),
    );
    token = await demoAdminToken(url);
  }, 300_000);

  afterAll(async () => {
    await db?.end();
    await roles.cleanup();
    await provider?.close();
  }, 30_000);

  const api = (method: 'get' | 'post', pathname: string) =>
    request(url)[method](pathname).set('Host', HOST).set('Authorization', `Bearer ${token}`).set('Accept-Language', 'it');

  async function mailbox(box: { address: string; password: string }, limits: { perMinute: number; perDay: number }): Promise<string> {
    const created = await api('post', '/api/v1/mailboxes')
      .send({ address: box.address, preset: 'local', password: box.password, smtp: { port: provider.port }, limits })
      .expect(201);
    return (created.body as { id: string }).id;
  }

  async function send(mailboxId: string, count: number, subject: string): Promise<void> {
    for (let n = 0; n < count; n += 1)
      await api('post', '/api/v1/messages')
        .send({ mailboxId, to: [recipient.address], subject: `${subject} ${tag} ${n}`, text: `Messaggio ${n}` })
        .expect(202);
  }

  /** The provider's log once it holds `count` messages from `sender`, and still `count` a moment later. */
  async function taken(sender: string, count: number, timeoutMs = 90_000): Promise<LogEntry[]> {
    await eventually(async () => (await provider.log(sender)).length >= count, timeoutMs, 250);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const log = await provider.log(sender);
    expect(log).toHaveLength(count);
    expect(new Set(log.map((entry) => entry.msgid)).size).toBe(count);
    return log;
  }

  const events = async (mailboxId: string, kind: string) =>
    (
      await db.query<{ subject: string; at: Date }>(
        `SELECT m.subject, e.at FROM pec_recipient_events e JOIN pec_recipients r ON r.id = e.recipient_id
           JOIN pec_messages m ON m.id = r.message_id WHERE m.mailbox_id = $1 AND e.kind = $2 ORDER BY e.at`,
        [mailboxId, kind],
      )
    ).rows;

  it('spaces the sends of a 60/min mailbox evenly, whichever of three workers sends them, each once', async () => {
    const mailboxId = await mailbox(even, { perMinute: 60, perDay: 10_000 });
    await Promise.all([send(mailboxId, 6, 'Ritmo A'), send(mailboxId, 6, 'Ritmo B')]);
    const log = await taken(even.address, 12);

    // The slots the workers reserved (on each message's `sending` line): one spacing apart at least.
    const { rows } = await db.query<{ message_id: string; slot: string }>(
      `SELECT m.message_id, e.details->>'slot' AS slot FROM pec_recipient_events e JOIN pec_recipients r ON r.id = e.recipient_id
         JOIN pec_messages m ON m.id = r.message_id WHERE m.mailbox_id = $1 AND e.kind = 'sending'`,
      [mailboxId],
    );
    expect(rows).toHaveLength(12);
    const slots = new Map(rows.map((row) => [row.message_id, Date.parse(row.slot)]));
    const sortedSlots = [...slots.values()].sort((a, b) => a - b);
    expect(Math.min(...sortedSlots.slice(1).map((slot, n) => slot - sortedSlots[n]!))).toBeGreaterThanOrEqual(SPACING_MS);

    // At the provider: none before its slot, and the twelve over at least eleven spacings less one.
    // Not pass/fail here: the gap between two arrivals, which adds each send's own latency after its
    // slot (the claim's commit, the SMTP round trips): tens of ms on a quiet machine, seconds on two
    // busy cores (bench:pacing measures it); the message shows both when something fails.
    const lateness = log.map((entry) => entry.at - slots.get(entry.msgid)!);
    const times = log.map((entry) => entry.at).sort((a, b) => a - b);
    const gaps = times.slice(1).map((at, n) => at - times[n]!);
    const message = `gaps between sends at the provider (ms): ${gaps.join(', ')}; after their slots: ${lateness.join(', ')}`;
    expect({ early: lateness.filter((late) => late < 0), message }).toEqual({ early: [], message });
    expect({ span: times.at(-1)! - times[0]! >= 10 * SPACING_MS, message }).toEqual({ span: true, message });
  });

  it('stops at the daily quota: the rest stays queued, unattempted, for the next day in Italy', async () => {
    const mailboxId = await mailbox(quota, { perMinute: 600, perDay: 5 });
    await send(mailboxId, 7, 'Quota');
    await taken(quota.address, 5);
    const { rows } = await db.query<{ status: string; attempted: boolean }>(
      `SELECT status, attempted_at IS NOT NULL AS attempted FROM pec_messages WHERE mailbox_id = $1 AND status = 'queued'`,
      [mailboxId],
    );
    expect(rows).toEqual([
      { status: 'queued', attempted: false },
      { status: 'queued', attempted: false },
    ]);
  });

  it('slows the mailbox down on "Too much traffic": breaker open and shown, sends deferred, one probe, closed; nothing twice', async () => {
    const mailboxId = await mailbox(slowed, { perMinute: 600, perDay: 10_000 });
    await send(mailboxId, 6, 'Frenata');
    const state = async () =>
      (
        (await api('get', '/api/v1/mailboxes').expect(200)).body as { mailboxes: { id: string; pace: Record<string, string | null> }[] }
      ).mailboxes.find((box) => box.id === mailboxId)!.pace;
    const open = await eventually(async () => {
      const pace = await state();
      return pace.breaker === 'open' && pace;
    }, 20_000);
    expect(open.description).toMatch(/^Rallentata dal provider fino alle \d{2}:\d{2}$/);

    const log = await taken(slowed.address, 6);
    const throttles = await events(mailboxId, 'throttled');
    // Two sessions were answered 550 (the opening send, then the first probe); no other send was even tried.
    expect(throttles).toHaveLength(2);
    expect(await events(mailboxId, 'sending')).toHaveLength(8);
    expect(await events(mailboxId, 'submitted')).toHaveLength(6);
    // Deferred, not lost: everything the provider took came after the first back-off (3 s, jitter ≥ 0.8;
    // less a second for the throttle's own line, written just after the breaker opened), where the
    // pace alone would have sent one every 100 ms.
    const firstThrottle = throttles[0]!.at.getTime();
    expect(Math.min(...log.map((entry) => entry.at)) - firstThrottle).toBeGreaterThanOrEqual(0.8 * 3_000 - 1_000);
    expect(await eventually(async () => (await state()).breaker === 'closed' && (await state()))).toEqual({
      breaker: 'closed',
      slowedUntil: null,
      description: null,
    });
  });
});
