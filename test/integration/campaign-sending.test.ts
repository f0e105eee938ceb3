import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DataSource } from 'typeorm';
import { BeatsLedger } from '../../src/beats/beats-ledger.js';
import { TenantContext } from '../../src/db/tenant-context.js';
import type { Tenant } from '../../src/tenancy/tenant.entity.js';
import { ApiClient } from '../support/api-client.js';
import { eventually } from '../support/eventually.js';
import { instanceOf } from '../support/process-api.js';
import { inbox, startPecProvider, type PecProviderHarness } from '../support/pec-provider.js';
import { correlateInbox } from '../support/pec-receipts.js';
import { createTenant, createUser, startTestApp, type TestApp } from '../support/test-app.js';

// Mailbox creation waits for Dovecot to re-read its users file; each PEC waits for the provider's receipts.
jest.setTimeout(180_000);

interface CampaignBody {
  id: string;
  status: string;
  counts: {
    total: number;
    queued: number;
    sending: number;
    sent: number;
    accepted: number;
    delivered: number;
    failed: number;
    warned: number;
  };
}
interface Balance {
  balance: number;
  reserved: number;
  available: number;
}
interface RecipientRow {
  address: string;
  state: string;
  error_code: string | null;
  provider_id: string | null;
  queued_at: Date | null;
  sent_at: Date | null;
  accepted_at: Date | null;
  delivered_at: Date | null;
  failed_at: Date | null;
}

const tag = randomBytes(4).toString('hex');
const sender = { address: `campagne-${tag}@pec.demo.test`, password: '' };
const slow = { address: `lenta-${tag}@pec.demo.test`, password: '' };
const people = ['anna', 'bruno', 'carla', 'dario', 'elena', 'fabio'].map((name) => ({
  address: `${name}-${tag}@pec.example.test`,
  password: '',
}));
// pec.example.test is the provider's catch-all domain: an unknown mailbox is one of pec.acme.test.
const unknown = `nessuno-${tag}@pec.acme.test`;

describe('campaign sending: launch, pace, receipts, pause/resume, cancel, beats', () => {
  let t: TestApp;
  let provider: PecProviderHarness;
  let tenant: Tenant;
  let admin: ApiClient;
  let db: DataSource;
  let mailboxId: string;
  let slowMailboxId: string;

  beforeAll(async () => {
    provider = await startPecProvider({ PEC_PROVIDER_LATENCY_MS: '20' });
    const limits = { perMinute: 10_000, perDay: 100_000 };
    [sender.password, slow.password] = await Promise.all([
      provider.mailbox(sender.address, limits),
      provider.mailbox(slow.address, limits),
    ]);
    const passwords = await Promise.all(people.map((person) => provider.mailbox(person.address)));
    people.forEach((person, index) => (person.password = passwords[index]!));
    t = await startTestApp();
    db = t.app.get(DataSource);
    // A workspace of the test's own, with 12 beats: the balance checks below are exact.
    tenant = await createTenant(t.app, `campaign-send-${tag}`);
    await TenantContext.run({ tenantId: tenant.id, slug: tenant.slug }, () =>
      t.app
        .get(BeatsLedger)
        .addPack({ key: `pack-${tag}`, beats: 12, purchasedOn: '2026-01-01', expiresOn: '2030-12-31', contract: null, userId: null }),
    );
    const user = await createUser(t.app, tenant.slug, { roles: ['admin'] });
    admin = await ApiClient.signIn(t.app.getHttpServer(), `${tenant.slug}.localhost`, user.email, user.password);
    const mailbox = (box: { address: string; password: string }, perMinute: number) =>
      admin
        .post('/api/v1/mailboxes', {
          address: box.address,
          preset: 'local',
          password: box.password,
          smtp: { port: provider.port },
          profile: 'massiva-s',
          limits: { perMinute },
        })
        .expect(201);
    mailboxId = ((await mailbox(sender, 500)).body as { id: string }).id;
    // One PEC a second: a pause lands between two sends.
    slowMailboxId = ((await mailbox(slow, 60)).body as { id: string }).id;
    // The workspace's file has no `campaigns:` section, so no approval: the lifecycle process launches at once.
    const massSend = await readFile(new URL('../../workflows/campaigns/mass-send.bpmn', import.meta.url));
    await admin.upload('/api/v1/process-definitions', massSend, 'mass-send.bpmn').expect(201);
  });

  afterAll(async () => {
    await t?.close();
    await provider?.close();
  });

  const create = async (mailbox: string, addresses: string[]): Promise<string> => {
    const csv = ['pec;nome', ...addresses.map((address, index) => `${address};Persona ${index + 1}`)].join('\r\n');
    const res = await admin
      .multipart(
        '/api/v1/campaigns',
        {
          mailboxId: mailbox,
          name: `Campagna ${tag}`,
          subject: `Avviso ${tag} per {{nome}}`,
          text: 'Gentile {{nome}}, ecco il suo avviso.',
        },
        [{ field: 'recipients', content: Buffer.from(csv), name: 'destinatari.csv' }],
      )
      .expect(201);
    return (res.body as { id: string }).id;
  };
  const campaign = async (id: string) => (await admin.get(`/api/v1/campaigns/${id}`).expect(200)).body as CampaignBody;
  /** Starts a draft through the lifecycle (scheduled, then the campaign.launch task launches it); its process instance. */
  const start = async (id: string): Promise<string> => {
    const res = await admin.post(`/api/v1/campaigns/${id}/start`, {}).expect(200);
    expect(res.body).toMatchObject({ id, status: 'scheduled', approvalLevels: 0 });
    await eventually(async () => !['scheduled', 'draft'].includes((await campaign(id)).status), 30_000, 20);
    return (res.body as { processInstanceId: string }).processInstanceId;
  };
  const balance = async () => (await admin.get('/api/v1/beats').expect(200)).body as Balance;
  const rows = async (id: string) =>
    await db.query<RecipientRow[]>(
      `SELECT address, state, error_code, provider_id, queued_at, sent_at, accepted_at, delivered_at, failed_at
           FROM campaign_recipients WHERE campaign_id = $1 ORDER BY row_number`,
      [id],
    );
  const correlate = (box: { address: string; password: string }, mailbox: string) => correlateInbox(t.app, tenant.slug, mailbox, box);
  /** The PEC (bustas) of this campaign each person's mailbox holds. */
  const received = async (person: { address: string; password: string }) =>
    (await inbox(person.address, person.password)).filter((raw) =>
      raw.toString('latin1').includes(`Subject: POSTA CERTIFICATA: Avviso ${tag}`),
    ).length;

  it('sends every recipient once: accepted then delivered with the provider id; an unknown mailbox fails with no-dest; then closed', async () => {
    const id = await create(mailboxId, [...people.slice(0, 3).map((p) => p.address), unknown]);
    expect(await campaign(id)).toMatchObject({ status: 'draft', counts: { total: 4, queued: 4 } });
    const waiting = await start(id);
    await admin.post(`/api/v1/campaigns/${id}/start`, {}).expect(409);
    expect(await balance()).toMatchObject({ balance: 12, reserved: 4 });

    const closed = await eventually(
      async () => {
        await correlate(sender, mailboxId);
        const body = await campaign(id);
        return body.status === 'closed' && body;
      },
      90_000,
      300,
    );
    expect(closed.counts).toMatchObject({ total: 4, queued: 0, sent: 0, accepted: 0, delivered: 3, failed: 1, warned: 0 });
    const recipients = await rows(id);
    for (const row of recipients.slice(0, 3)) {
      expect(row).toMatchObject({ state: 'delivered', error_code: null, failed_at: null });
      expect(row.provider_id).toEqual(expect.any(String));
      expect(row.queued_at!.getTime()).toBeLessThanOrEqual(row.sent_at!.getTime());
      expect(row.accepted_at!.getTime()).toBeLessThanOrEqual(row.delivered_at!.getTime());
    }
    expect(recipients[3]).toMatchObject({ address: unknown, state: 'failed', error_code: 'no-dest', delivered_at: null });
    expect(recipients[3]!.failed_at).toBeInstanceOf(Date);
    for (const person of people.slice(0, 3)) expect(await received(person)).toBe(1);
    // Its receipts are matched (to the campaign), not listed among those that match nothing.
    const cited = (list: { referencesMessageId: string | null; forwardedTo: string | null }[]) =>
      list.filter((receipt) => receipt.referencesMessageId?.startsWith(`campaign.${id}.`));
    const receipts = async (matched: boolean) =>
      ((await admin.get(`/api/v1/pec-receipts?matched=${matched}`).expect(200)).body as { receipts: [] }).receipts;
    expect(cited(await receipts(false))).toEqual([]);
    const matchedOnes = cited(await receipts(true));
    // An accettazione each (4), an avvenuta consegna for the three delivered, an errore consegna for the unknown one.
    expect(matchedOnes).toHaveLength(8);
    expect(matchedOnes.every((receipt) => receipt.forwardedTo === 'campaign')).toBe(true);
    // Four PEC went to the provider: four beats charged, the reservation closed.
    expect(await balance()).toMatchObject({ balance: 8, reserved: 0, available: 8 });
    // The campaign's process, waiting for it after the launch, heard it close.
    expect(await eventually(async () => (await instanceOf(admin, waiting)).status === 'completed')).toBe(true);
  });

  it('pauses at once and resumes where it stopped: no recipient skipped, none sent twice', async () => {
    const group = people.slice(3, 6);
    const id = await create(
      slowMailboxId,
      group.map((p) => p.address),
    );
    await admin.post(`/api/v1/campaigns/${id}/pause`, {}).expect(409);
    await start(id);
    await eventually(async () => (await rows(id)).some((row) => row.state !== 'queued'), 30_000, 20);
    expect((await admin.post(`/api/v1/campaigns/${id}/pause`, {}).expect(200)).body).toEqual({ id, status: 'paused' });
    await admin.post(`/api/v1/campaigns/${id}/pause`, {}).expect(409);
    // The PEC in the provider's hands when the pause came is not recalled: its outcome comes first.
    const atPause = await eventually(async () => {
      const now = await rows(id);
      return now.every((row) => row.state !== 'sending') && now;
    });
    expect(atPause.some((row) => row.state === 'queued')).toBe(true);
    // Paused: the provider's log of the mailbox does not grow while the campaign waits.
    const loggedAtPause = (await provider.log(slow.address)).length;
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await provider.log(slow.address)).length).toBe(loggedAtPause);
    expect((await rows(id)).filter((row) => row.state === 'queued').length).toBe(atPause.filter((row) => row.state === 'queued').length);

    await admin.post(`/api/v1/campaigns/${id}/resume`, {}).expect(200);
    await eventually(
      async () => {
        await correlate(slow, slowMailboxId);
        return (await campaign(id)).status === 'closed';
      },
      90_000,
      300,
    );
    expect((await campaign(id)).counts).toMatchObject({ total: 3, delivered: 3 });
    for (const person of group) expect(await received(person)).toBe(1);
    expect((await provider.log(slow.address)).length).toBe(3);
  });

  it('cancels: the unused beats go back, only what was sent stays charged', async () => {
    const before = await balance();
    const id = await create(
      slowMailboxId,
      [1, 2, 3].map((n) => `annullata-${n}-${tag}@pec.example.test`),
    );
    await start(id);
    await eventually(async () => (await rows(id)).some((row) => row.state === 'sent'), 30_000, 20);
    await admin.post(`/api/v1/campaigns/${id}/cancel`, {}).expect(200);
    await admin.post(`/api/v1/campaigns/${id}/resume`, {}).expect(409);
    const sent = (await rows(id)).filter((row) => row.state !== 'queued').length;
    expect(sent).toBeLessThan(3);
    expect(await balance()).toMatchObject({ balance: before.balance - sent, reserved: 0 });
    expect((await campaign(id)).status).toBe('cancelled');
  });

  it('refuses to start with 402 beats-exhausted when the beats are not there: nothing reserved, nothing sent', async () => {
    const { available } = await balance();
    const addresses = Array.from({ length: available + 1 }, (_, n) => `molti-${n}-${tag}@pec.example.test`);
    const id = await create(mailboxId, addresses);
    const refused = await admin.post(`/api/v1/campaigns/${id}/start`, {}).expect(402);
    expect(refused.body).toMatchObject({ type: expect.stringContaining('beats-exhausted') });
    expect(await campaign(id)).toMatchObject({ status: 'draft', counts: { queued: available + 1 } });
    expect((await balance()).reserved).toBe(0);
  });
});
