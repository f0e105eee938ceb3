import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import { Module } from '@nestjs/common';
import { CoreModule } from '../../src/app/core.module.js';
import { CampaignSendingModule } from '../../src/campaigns/sending/campaign-sending.module.js';
import { PecMessagesModule } from '../../src/pec/pec-messages.module.js';
import { openCrashStage, type CrashStage } from '../support/crash-stage.js';
import { correlateInbox } from '../support/pec-receipts.js';
import { inbox, startPecProvider, type PecProviderHarness } from '../support/pec-provider.js';
import { kill9, SpawnedRoles } from '../support/spawned-roles.js';

jest.setTimeout(300_000);

/**
 * Issue #7 item 10: kill -9 of the built worker at random points of a campaign, three times, then a
 * last worker finishes it. Counted at the provider (the catch-all mailbox of pec.example.test, one
 * copy per recipient named by X-Original-To): every recipient received exactly one PEC.
 */
const RECIPIENTS = 60;
const KILLS = 3;
const CATCH_ALL = { address: 'catch-all@pec.example.test', password: 'pecflow-demo' };

const roles = new SpawnedRoles('campaign-crash', {
  // An attempt with no receipt is resent after 20 s (minutes in production): enough for the receipts of
  // a taken PEC to reach the correlator on this loaded machine, so only PEC the provider never took go again.
  CAMPAIGN_RESEND_AFTER_MS: '20000',
  HOST: '127.0.0.1',
});
const WORKER_READY = /worker listening on queue campaigns/;

/** Stands in for the IMAP intake: the correlator (with the campaigns' receipt target) in this process. */
@Module({ imports: [CoreModule, PecMessagesModule, CampaignSendingModule] })
class IntakeStandIn {}

describe('campaign sending survives kill -9 of the worker (built dist/)', () => {
  const tag = randomBytes(4).toString('hex');
  const sender = { address: `crash-${tag}@pec.demo.test`, password: '' };
  let provider: PecProviderHarness;
  let stage: CrashStage;

  beforeAll(async () => {
    provider = await startPecProvider({ PEC_PROVIDER_LATENCY_MS: '20' });
    sender.password = await provider.mailbox(sender.address, { perMinute: 10_000, perDay: 100_000 });
    stage = await openCrashStage(roles, IntakeStandIn);
  }, 120_000);

  afterAll(async () => {
    await stage?.close();
    await provider?.close();
  }, 30_000);

  const api = (method: 'get' | 'post', pathname: string) => stage.api(method, pathname);
  const states = async () =>
    (await stage.db.query<{ address: string; state: string }>(`SELECT address, state FROM campaign_recipients ORDER BY row_number`)).rows;
  const attempted = async () =>
    Number((await stage.db.query<{ n: string }>(`SELECT count(*) AS n FROM campaign_recipients WHERE state <> 'queued'`)).rows[0]!.n);

  it('delivers exactly one PEC to every recipient across three kills at random points', async () => {
    const addresses = Array.from({ length: RECIPIENTS }, (_, n) => `crash-${n + 1}-${tag}@pec.example.test`);
    const mailbox = await api('post', '/api/v1/mailboxes')
      .send({
        address: sender.address,
        preset: 'local',
        profile: 'massiva-s',
        limits: { perMinute: 300 },
        password: sender.password,
        smtp: { port: provider.port },
      })
      .expect(201);
    const mailboxId = (mailbox.body as { id: string }).id;

    let worker = (await roles.startRole('worker', WORKER_READY)).child;
    const csv = ['pec;nome', ...addresses.map((address, n) => `${address};Persona ${n + 1}`)].join('\r\n');
    const created = await api('post', '/api/v1/campaigns')
      .field('mailboxId', mailboxId)
      .field('name', `Crash ${tag}`)
      .field('subject', `Crash ${tag} per {{nome}}`)
      .field('text', 'Gentile {{nome}}.')
      .attach('recipients', Buffer.from(csv), 'destinatari.csv')
      .expect(201);
    const id = (created.body as { id: string }).id;
    expect(created.body).toMatchObject({ recipients: RECIPIENTS });
    // Approval is not what this test is about: in this run's own database the demo workspace sends without it.
    await stage.db.query(`UPDATE tenants SET campaigns = NULL WHERE slug = 'demo'`);
    await api('post', `/api/v1/campaigns/${id}/start`).expect(200);

    // The intake stand-in correlates receipts all along, as the intake would.
    let correlating = true;
    const correlation = (async () => {
      while (correlating) {
        await correlateInbox(stage.intake, 'demo', mailboxId, sender);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();

    let reached = 0;
    for (let kill = 1; kill <= KILLS; kill += 1) {
      // A random point in the next stretch of the campaign, and a random moment inside a batch.
      const target = reached + 3 + Math.floor(Math.random() * (RECIPIENTS / (KILLS + 1) - 3));
      while ((await attempted()) < target) await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 300)));
      await kill9(worker);
      reached = await attempted();
      worker = (await roles.startRole('worker', WORKER_READY)).child;
    }
    expect(reached).toBeLessThan(RECIPIENTS);

    const deadline = Date.now() + 200_000;
    for (;;) {
      const status = ((await api('get', `/api/v1/campaigns/${id}`).expect(200)).body as { status: string }).status;
      if (status === 'closed') break;
      if (Date.now() > deadline)
        throw new Error(`not closed: ${status} ${JSON.stringify((await states()).filter((r) => r.state !== 'delivered'))}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    correlating = false;
    await correlation;

    const copies = new Map<string, number>();
    for (const raw of await inbox(CATCH_ALL.address, CATCH_ALL.password)) {
      const text = raw.toString('latin1');
      if (!text.includes(`Subject: POSTA CERTIFICATA: Crash ${tag} per`)) continue;
      const to = /^X-Original-To: (.*)$/m.exec(text)?.[1]?.trim().toLowerCase() ?? '?';
      copies.set(to, (copies.get(to) ?? 0) + 1);
    }
    expect(Object.fromEntries(addresses.map((address) => [address, copies.get(address) ?? 0]))).toEqual(
      Object.fromEntries(addresses.map((address) => [address, 1])),
    );
    expect((await states()).every((row) => row.state === 'delivered')).toBe(true);
    const { counts } = (await api('get', `/api/v1/campaigns/${id}`).expect(200)).body as { counts: Record<string, number> };
    expect(counts).toMatchObject({ total: RECIPIENTS, delivered: RECIPIENTS, failed: 0 });
  });
});
