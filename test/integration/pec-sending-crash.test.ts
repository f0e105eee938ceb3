import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import { Module } from '@nestjs/common';
import { CoreModule } from '../../src/app/core.module.js';
import { PecMessagesModule } from '../../src/pec/pec-messages.module.js';
import { openCrashStage, type CrashStage } from '../support/crash-stage.js';
import { eventually } from '../support/eventually.js';
import { correlateInbox } from '../support/pec-receipts.js';
import { inbox, startPecProvider, type PecProviderHarness } from '../support/pec-provider.js';
import { kill9, SpawnedRoles } from '../support/spawned-roles.js';

jest.setTimeout(240_000);

/**
 * kill -9 of the built worker while it sends a burst of PEC: every message reaches the recipient
 * once or, when the worker died between recording the attempt and learning the SMTP outcome and the
 * provider never took it, is flagged `unknown`; none is sent twice and none is left silently. Its
 * beats: one charged per message delivered, none held once everything settled (decision 0029).
 */
const COUNT = 40;

const roles = new SpawnedRoles('pecsend-crash', {
  // An attempt with no receipt is flagged after 4 s (hours in production).
  PEC_SEND_UNKNOWN_AFTER_MS: '4000',
  // The beats housekeeping settles the holds of attempts whose outcome the killed worker never learnt.
  BEATS_HOLD_SWEEP_MS: '500',
  HOST: '127.0.0.1',
});

/** Stands in for the IMAP intake: the correlator in this process, on the crash test's database. */
@Module({ imports: [CoreModule, PecMessagesModule] })
class IntakeStandIn {}

describe('PEC sending survives kill -9 of the worker (built dist/)', () => {
  const tag = randomBytes(4).toString('hex');
  const sender = { address: `massivo-${tag}@pec.demo.test`, password: '' };
  const recipient = { address: `ricevente-${tag}@pec.acme.test`, password: '' };
  let provider: PecProviderHarness;
  let stage: CrashStage;

  beforeAll(async () => {
    provider = await startPecProvider({ PEC_PROVIDER_LATENCY_MS: '20' });
    [sender.password, recipient.password] = await Promise.all([
      provider.mailbox(sender.address, { perMinute: 10_000, perDay: 100_000 }),
      provider.mailbox(recipient.address),
    ]);
    stage = await openCrashStage(roles, IntakeStandIn);
  }, 90_000);

  afterAll(async () => {
    await stage?.close();
    await provider?.close();
  }, 30_000);

  const api = (method: 'get' | 'post', pathname: string) => stage.api(method, pathname);
  const statuses = async () =>
    (await stage.db.query<{ subject: string; status: string }>(`SELECT subject, status FROM pec_messages ORDER BY subject`)).rows;

  it('sends each message once or flags it unknown, never twice, and charges the beats of those delivered only', async () => {
    const beats = async () => (await api('get', '/api/v1/beats').expect(200)).body as { balance: number; reserved: number };
    const before = await beats();
    const mailbox = await api('post', '/api/v1/mailboxes')
      .send({ address: sender.address, preset: 'local', profile: 'massiva-s', password: sender.password, smtp: { port: provider.port } })
      .expect(201);
    const mailboxId = (mailbox.body as { id: string }).id;
    for (let n = 0; n < COUNT; n += 1)
      await api('post', '/api/v1/messages')
        .send({ mailboxId, to: [recipient.address], subject: `Raffica ${tag} ${String(n).padStart(2, '0')}`, text: `Messaggio ${n}` })
        .expect(202);

    // Killed once a few have been attempted, with the rest of the burst still queued or in flight.
    const first = await roles.startRole('worker', /worker listening on queue pec-send/);
    for (;;) {
      const { rows } = await stage.db.query<{ n: string }>('SELECT count(*) AS n FROM pec_messages WHERE attempted_at IS NOT NULL');
      if (Number(rows[0]!.n) >= 5) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await kill9(first.child);
    const atKill = await statuses();
    expect(atKill.some((row) => row.status === 'queued')).toBe(true);

    await roles.startRole('worker', /worker listening on queue pec-send/);
    // Generous: on a loaded two-core machine the provider, Dovecot and the restarted worker share the CPU.
    const deadline = Date.now() + 150_000;
    for (;;) {
      await correlateInbox(stage.intake, 'demo', mailboxId, sender);
      const rows = await statuses();
      if (rows.every((row) => row.status === 'delivered' || row.status === 'unknown')) break;
      if (Date.now() > deadline) throw new Error(`not settled: ${JSON.stringify(rows.filter((row) => row.status !== 'delivered'))}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }

    const bustas = new Map<string, number>();
    for (const raw of await inbox(recipient.address, recipient.password)) {
      const subject = /^Subject: POSTA CERTIFICATA: (.*)$/m.exec(raw.toString('latin1'))?.[1]?.trim();
      if (subject) bustas.set(subject, (bustas.get(subject) ?? 0) + 1);
    }
    const rows = await statuses();
    expect(rows).toHaveLength(COUNT);
    for (const row of rows)
      expect({ subject: row.subject, status: row.status, bustas: bustas.get(row.subject) ?? 0 }).toEqual({
        subject: row.subject,
        status: row.status,
        bustas: row.status === 'delivered' ? 1 : 0,
      });
    const delivered = rows.filter((row) => row.status === 'delivered').length;
    const settled = await eventually(async () => {
      const now = await beats();
      return now.reserved === before.reserved && now;
    }, 30_000);
    expect(settled.balance).toBe(before.balance - delivered);
  });
});
