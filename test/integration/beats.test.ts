import { jest } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { BeatsLedger } from '../../src/beats/beats-ledger.js';
import { TenantContext } from '../../src/db/tenant-context.js';
import { PlugInvocation } from '../../src/plugs/plug-invocation.js';
import type { PlugContext } from '../../src/plugs/plug.js';
import type { Tenant } from '../../src/tenancy/tenant.entity.js';
import { ApiClient } from '../support/api-client.js';
import { countMail } from '../support/local-mail.js';
import { startPecProvider, type PecProviderHarness } from '../support/pec-provider.js';
import { eventually } from '../support/eventually.js';
import { ROOT } from '../support/spawned-roles.js';
import { createTenant, createUser, startTestApp, type TestApp } from '../support/test-app.js';

// Mailbox creation waits for Dovecot to re-read its users file (whole seconds).
jest.setTimeout(120_000);

interface Balance {
  balance: number;
  reserved: number;
  available: number;
  packs: { beats: number; remaining: number; expiresAt: string }[];
}

const tag = randomBytes(4).toString('hex');
const PLATFORM_TOKEN = `platform-token-of-the-beats-test-${tag}`;

describe('beats: packs, ledger, reservations and exhaustion', () => {
  let t: TestApp;
  let provider: PecProviderHarness;
  let dataSource: DataSource;
  let ledger: BeatsLedger;
  let plugs: PlugInvocation;
  let workspaces = 0;

  beforeAll(async () => {
    provider = await startPecProvider({ PEC_PROVIDER_LATENCY_MS: '20' });
    process.env.PLATFORM_TOKEN = PLATFORM_TOKEN;
    t = await startTestApp();
    dataSource = t.app.get(DataSource);
    ledger = t.app.get(BeatsLedger);
    plugs = t.app.get(PlugInvocation);
  });

  afterAll(async () => {
    delete process.env.PLATFORM_TOKEN;
    await t?.close();
    await provider?.close();
  });

  /** A workspace of the test's own (no packs: 0 beats), with an administrator signed in to the API. */
  async function workspace(): Promise<{ tenant: Tenant; host: string; admin: ApiClient; user: { id: string; email: string } }> {
    workspaces += 1;
    const tenant = await createTenant(t.app, `beats-${tag}-${workspaces}`);
    const host = `${tenant.slug}.localhost`;
    const user = await createUser(t.app, tenant.slug, { roles: ['admin'] });
    return { tenant, host, admin: await ApiClient.signIn(t.app.getHttpServer(), host, user.email, user.password), user };
  }

  const within = <T>(tenant: Tenant, work: () => Promise<T>): Promise<T> =>
    TenantContext.run({ tenantId: tenant.id, slug: tenant.slug }, work);

  /** The platform operator's API on the workspace's host. */
  const addPack = (host: string, body: Record<string, unknown>, token = PLATFORM_TOKEN) =>
    request(t.app.getHttpServer())
      .post('/api/v1/platform/beats/packs')
      .set('Host', host)
      .set('Authorization', `Bearer ${token}`)
      .send(body);

  const balanceOf = async (client: ApiClient): Promise<Balance> => (await client.get('/api/v1/beats').expect(200)).body as Balance;

  const debit = (tenant: Tenant, key: string, beats = 1) =>
    within(tenant, () => ledger.debit(key, beats, { plug: 'pec.send', units: beats }));

  it('shows the demo workspace its balance: the pack its contract (tenants/demo.yaml) includes', async () => {
    const user = await createUser(t.app, 'demo');
    const client = await ApiClient.signIn(t.app.getHttpServer(), 'demo.localhost', user.email, user.password);
    const balance = await balanceOf(client);
    // Other test files of the run send PEC from demo: the balance is below the pack, never above.
    expect(balance.packs).toContainEqual(expect.objectContaining({ beats: 10_000, expiresAt: '2028-03-02T23:00:00.000Z' }));
    expect(balance.balance).toBeGreaterThan(0);
    expect(balance.available).toBe(balance.balance - balance.reserved);
  });

  it('adds packs through the platform API (token, idempotency key), each in the activity log; nobody else can', async () => {
    const { host, admin } = await workspace();
    await addPack(host, { beats: 10, expires: '2030-01-31' }, 'not-the-platform-token-at-all-no-no-no').expect(401);
    await admin.post('/api/v1/platform/beats/packs', { beats: 10, expires: '2030-01-31' }).expect(401);
    const invalid = await addPack(host, { beats: 0, expires: '31/01/2030' }).expect(400);
    expect((invalid.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort()).toEqual(['beats', 'expires']);
    await addPack(host, { beats: 10, expires: '2020-01-31' }).expect(400);

    const first = (
      await addPack(host, { beats: 10, expires: '2030-01-31', contract: 'Contratto 2030', idempotencyKey: `k-${tag}` }).expect(201)
    ).body as { packId: string; duplicate: boolean };
    const again = (await addPack(host, { beats: 10, expires: '2030-01-31', idempotencyKey: `k-${tag}` }).expect(201)).body as {
      packId: string;
      duplicate: boolean;
    };
    expect(first.duplicate).toBe(false);
    expect(again).toMatchObject({ packId: first.packId, duplicate: true });
    expect(await balanceOf(admin)).toEqual({
      balance: 10,
      reserved: 0,
      available: 10,
      packs: [{ beats: 10, remaining: 10, expiresAt: '2030-01-31T23:00:00.000Z' }],
    });
    const log = (await admin.get('/api/v1/audit?action=beats.').expect(200)).body as { entries: { action: string; resource: unknown }[] };
    expect(log.entries.map((entry) => entry.action)).toEqual(['beats.pack-added']);
  });

  it('50 concurrent debits of 1 beat against 20 available: exactly 20 succeed and the balance is 0', async () => {
    const { tenant, host, admin } = await workspace();
    await addPack(host, { beats: 12, expires: '2031-01-31' }).expect(201);
    await addPack(host, { beats: 8, expires: '2030-06-30' }).expect(201);
    // Half through this process's group commit, half each in a transaction of its own on another
    // connection, as other processes' movements would be: they all take turns on the account row.
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, n) =>
        n % 2 === 0
          ? debit(tenant, `concurrent-${n}`)
          : within(tenant, () => ledger.debit(`concurrent-${n}`, 1, { plug: 'pec.send', units: 1 }, {}, dataSource.manager)),
      ),
    );
    expect(outcomes.filter((o) => o.outcome === 'charged')).toHaveLength(20);
    expect(outcomes.filter((o) => o.outcome === 'insufficient')).toHaveLength(30);
    expect(outcomes.find((o) => o.outcome === 'insufficient')).toEqual({ outcome: 'insufficient', shortfall: 1 });
    const balance = await balanceOf(admin);
    expect(balance).toMatchObject({ balance: 0, reserved: 0, available: 0 });
    expect(balance.packs.map((pack) => pack.remaining)).toEqual([0, 0]);
    const [counted] = await dataSource.query<{ n: string }[]>(
      `SELECT count(*) AS n FROM beat_ledger WHERE tenant_id = $1 AND kind = 'debit'`,
      [tenant.id],
    );
    expect(Number(counted!.n)).toBe(20);
  });

  it('fails only the faulty movement of a group committed together; the others are charged once', async () => {
    const { tenant, host, admin } = await workspace();
    await addPack(host, { beats: 10, expires: '2031-01-31' }).expect(201);
    // The first runs alone; the nine arriving meanwhile are one statement, which the -1 makes fail.
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, n) => debit(tenant, `grouped-${n}`, n === 5 ? -1 : 1)));
    expect(outcomes.map((o) => o.status)).toEqual([
      ...Array<string>(5).fill('fulfilled'),
      'rejected',
      ...Array<string>(4).fill('fulfilled'),
    ]);
    expect(await balanceOf(admin)).toMatchObject({ balance: 1, reserved: 0, available: 1 });
    const [counted] = await dataSource.query<{ n: string }[]>(
      `SELECT count(*) AS n FROM beat_ledger WHERE tenant_id = $1 AND kind = 'debit'`,
      [tenant.id],
    );
    expect(Number(counted!.n)).toBe(9);
  });

  it('consumes the pack that expires first, and an expired pack stops counting', async () => {
    const { tenant, host, admin } = await workspace();
    await addPack(host, { beats: 5, expires: '2033-12-31' }).expect(201);
    await addPack(host, { beats: 5, expires: '2032-12-31' }).expect(201);
    await addPack(host, { beats: 100, purchased: '2020-01-01', expires: '2020-12-31' }).expect(201);
    expect(await balanceOf(admin)).toMatchObject({ balance: 10, available: 10 });
    expect((await debit(tenant, 'earliest-first', 7)).outcome).toBe('charged');
    // Listed in the order they are consumed; the 2020 pack is not listed at all.
    expect((await balanceOf(admin)).packs).toEqual([
      { beats: 5, remaining: 0, expiresAt: '2032-12-31T23:00:00.000Z' },
      { beats: 5, remaining: 3, expiresAt: '2033-12-31T23:00:00.000Z' },
    ]);
    expect(await debit(tenant, 'more-than-left', 4)).toEqual({ outcome: 'insufficient', shortfall: 1 });
  });

  it('charges a retried plug call once, and a failed call nothing', async () => {
    const { tenant, host, admin, user } = await workspace();
    // This workspace's contract prices set-variables and call-process at 3 beats a call.
    await dataSource.query(`UPDATE tenants SET beat_prices = '{"set-variables": 3, "call-process": 3}' WHERE id = $1`, [tenant.id]);
    await addPack(host, { beats: 10, expires: '2030-01-31' }).expect(201);
    const context = (key: string): PlugContext => ({
      tenantId: tenant.id,
      idempotencyKey: key,
      instanceId: null,
      executionId: null,
      principal: { userId: user.id, email: user.email },
    });
    const key = `retried-${randomUUID()}`;
    expect(await within(tenant, () => plugs.invoke('set-variables', { esito: 'ok' }, context(key)))).toEqual({ esito: 'ok' });
    expect(await within(tenant, () => plugs.invoke('set-variables', { esito: 'ok' }, context(key)))).toEqual({ esito: 'ok' });
    expect(await balanceOf(admin)).toMatchObject({ balance: 7, reserved: 0, available: 7 });

    // No process "missing" is deployed: the call fails, its reserved beats go back.
    await expect(within(tenant, () => plugs.invoke('call-process', { processKey: `missing-${tag}` }, context('failing')))).rejects.toThrow(
      /no deployed process/,
    );
    expect(await balanceOf(admin)).toMatchObject({ balance: 7, reserved: 0, available: 7 });

    // Out of beats: refused before the plug runs, as the business error a process can catch.
    await within(tenant, () => plugs.invoke('set-variables', { a: 1 }, context('a')));
    await within(tenant, () => plugs.invoke('set-variables', { b: 1 }, context('b')));
    await expect(within(tenant, () => plugs.invoke('set-variables', { c: 1 }, context('c')))).rejects.toMatchObject({
      code: 'beats-exhausted',
      needed: 3,
      available: 1,
      shortfall: 2,
    });
    const debits = await dataSource.query<{ plug: string; beats: number; user_id: string; idempotency_key: string }[]>(
      `SELECT plug, beats, user_id, idempotency_key FROM beat_ledger WHERE tenant_id = $1 AND kind = 'debit' ORDER BY created_at`,
      [tenant.id],
    );
    expect(debits).toEqual(
      [key, 'a', 'b'].map((k) => ({ plug: 'set-variables', beats: 3, user_id: user.id, idempotency_key: `set-variables:${k}` })),
    );
    // Every ledger entry is in the activity log: 4 reservations, 3 debits, 1 release, the pack.
    const log = (await admin.get('/api/v1/audit?action=beats.&limit=100').expect(200)).body as {
      entries: { action: string; actor: unknown }[];
    };
    const count = (action: string) => log.entries.filter((entry) => entry.action === action).length;
    expect([count('beats.pack-added'), count('beats.reserved'), count('beats.charged'), count('beats.released')]).toEqual([1, 4, 3, 1]);
  });

  it('reserves up front (refused at once when short), turns units into debits and releases the rest on cancel', async () => {
    const { tenant, host, admin } = await workspace();
    await addPack(host, { beats: 10, expires: '2030-01-31' }).expect(201);
    const campaign = randomUUID();
    const purpose = { plug: 'pec.send', units: 6, campaignId: campaign };
    expect(await within(tenant, () => ledger.reserve(`too-big-${tag}`, 11, purpose))).toEqual({ outcome: 'insufficient', shortfall: 1 });
    const held = await within(tenant, () => ledger.reserve(`campaign-${tag}`, 6, purpose));
    if (held.outcome !== 'reserved') throw new Error(`not reserved: ${JSON.stringify(held)}`);
    expect(await balanceOf(admin)).toMatchObject({ balance: 10, reserved: 6, available: 4 });
    // What is held is not available to anyone else.
    expect(await debit(tenant, 'other-work', 5)).toEqual({ outcome: 'insufficient', shortfall: 1 });
    for (const unit of [1, 2])
      expect(
        (
          await within(tenant, () =>
            ledger.debit(`campaign-${tag}-unit-${unit}`, 1, { plug: 'pec.send', units: 1 }, { reservationId: held.reservationId }),
          )
        ).outcome,
      ).toBe('charged');
    expect(
      await within(tenant, () =>
        ledger.debit(`campaign-${tag}-too-much`, 5, { plug: 'pec.send', units: 5 }, { reservationId: held.reservationId }),
      ),
    ).toEqual({ outcome: 'not-reserved', shortfall: 1 });
    expect(await balanceOf(admin)).toMatchObject({ balance: 8, reserved: 4, available: 4 });
    expect(await within(tenant, () => ledger.release(held.reservationId))).toMatchObject({ outcome: 'released', released: 4 });
    expect(await within(tenant, () => ledger.release(held.reservationId))).toEqual({ outcome: 'duplicate' });
    expect(await balanceOf(admin)).toMatchObject({ balance: 8, reserved: 0, available: 8 });
    const entries = await dataSource.query<{ kind: string; beats: number; campaign_id: string | null }[]>(
      `SELECT kind, beats, campaign_id FROM beat_ledger WHERE tenant_id = $1 AND kind <> 'credit' ORDER BY created_at`,
      [tenant.id],
    );
    expect(entries).toEqual([
      { kind: 'reservation', beats: 6, campaign_id: campaign },
      { kind: 'debit', beats: 1, campaign_id: campaign },
      { kind: 'debit', beats: 1, campaign_id: campaign },
      { kind: 'release', beats: 4, campaign_id: campaign },
    ]);
  });

  it('never refuses incoming PEC: without beats it is overdraft, and the next pack covers it first', async () => {
    const { tenant, host, admin } = await workspace();
    // As the intake does: in the transaction that stores the message, activity once it has committed.
    const receive = (id: string) =>
      within(tenant, async () => {
        const call = { plug: 'pec.receive', units: 1, key: id, principal: null, subject: { type: 'pec-inbound', id } };
        const charge = await dataSource.transaction((manager) => plugs.chargeAlways(call, manager));
        await charge.recordActivity();
        return charge.overdraft;
      });
    expect(await receive('in-1')).toBe(1);
    expect(await receive('in-1')).toBe(0);
    expect(await receive('in-2')).toBe(1);
    expect(await balanceOf(admin)).toMatchObject({ balance: -2, reserved: 0, available: -2, packs: [] });
    const added = (await addPack(host, { beats: 5, expires: '2030-01-31' }).expect(201)).body as { coveredOverdraft: number };
    expect(added.coveredOverdraft).toBe(2);
    expect(await balanceOf(admin)).toMatchObject({
      balance: 3,
      available: 3,
      packs: [{ beats: 5, remaining: 3, expiresAt: '2030-01-31T23:00:00.000Z' }],
    });
  });

  it('keeps the ledger append-only and each workspace to its own beats', async () => {
    const one = await workspace();
    const two = await workspace();
    await addPack(one.host, { beats: 3, expires: '2030-01-31' }).expect(201);
    expect((await balanceOf(two.admin)).packs).toEqual([]);
    expect(await debit(two.tenant, 'not-mine')).toEqual({ outcome: 'insufficient', shortfall: 1 });
    await expect(dataSource.query(`UPDATE beat_ledger SET beats = 0 WHERE tenant_id = $1`, [one.tenant.id])).rejects.toThrow(/append-only/);
    await expect(dataSource.query(`DELETE FROM beat_ledger WHERE tenant_id = $1`, [one.tenant.id])).rejects.toThrow(/append-only/);
  });

  describe('sending PEC', () => {
    const sender = { address: `beats-mittente-${tag}@pec.demo.test`, password: '' };
    const recipients = [`beats-a-${tag}@pec.acme.test`, `beats-b-${tag}@pec.acme.test`, `beats-c-${tag}@pec.acme.test`];
    const passwords: Record<string, string> = {};
    let ws: Awaited<ReturnType<typeof workspace>>;
    let mailboxId: string;

    beforeAll(async () => {
      sender.password = await provider.mailbox(sender.address);
      for (const address of recipients) passwords[address] = await provider.mailbox(address);
      ws = await workspace();
      const created = await ws.admin
        .post('/api/v1/mailboxes', { address: sender.address, preset: 'local', password: sender.password, smtp: { port: provider.port } })
        .expect(201);
      mailboxId = (created.body as { id: string }).id;
    });

    const send = (subject: string, to: string[], locale = 'it') =>
      ws.admin.post('/api/v1/messages', { mailboxId, subject, text: 'Buongiorno.', to }).set('Accept-Language', locale);

    it('refuses a PEC with 402 beats-exhausted when the beats are not there: nothing stored, nothing sent', async () => {
      const refused = await send(`Senza beats ${tag}`, recipients.slice(0, 1)).expect(402);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({
        type: expect.stringMatching(/beats-exhausted$/),
        title: 'Beats esauriti',
        balance: 0,
        shortfall: 1,
      });
      expect((refused.body as { detail: string }).detail).toMatch(/ne mancano 1/);
      const english = await send(`Senza beats ${tag}`, recipients.slice(0, 1), 'en').expect(402);
      expect(english.body).toMatchObject({ title: 'Beats exhausted' });

      await addPack(ws.host, { beats: 2, expires: '2030-01-31' }).expect(201);
      const short = await send(`Troppi destinatari ${tag}`, recipients).expect(402);
      expect(short.body).toMatchObject({ balance: 2, shortfall: 1 });

      const listed = (await ws.admin.get('/api/v1/messages').expect(200)).body as { items: { subject: string }[] };
      expect(listed.items.filter((m) => m.subject.includes(tag))).toEqual([]);
      expect(await balanceOf(ws.admin)).toMatchObject({ balance: 2, reserved: 0 });
      for (const address of recipients) expect(await countMail(address, passwords[address]!, new RegExp(tag))).toBe(0);
    });

    it('holds one beat per recipient while queued and charges them when the provider takes the PEC', async () => {
      await addPack(ws.host, { beats: 3, expires: '2030-01-31' }).expect(201);
      const before = await balanceOf(ws.admin);
      const { id } = (await send(`Con beats ${tag}`, recipients.slice(0, 2)).expect(202)).body as { id: string };
      await eventually(async () => (await balanceOf(ws.admin)).balance === before.balance - 2, 20_000);
      expect(await balanceOf(ws.admin)).toMatchObject({ balance: before.balance - 2, reserved: 0 });
      for (const address of recipients.slice(0, 2))
        await eventually(async () => (await countMail(address, passwords[address]!, new RegExp(`Con beats ${tag}`))) === 1, 20_000);
      const [debit] = await dataSource.query<{ plug: string; units: number; beats: number; subject_id: string }[]>(
        `SELECT plug, units, beats, subject_id FROM beat_ledger WHERE tenant_id = $1 AND kind = 'debit'`,
        [ws.tenant.id],
      );
      expect(debit).toEqual({ plug: 'pec.send', units: 2, beats: 2, subject_id: id });
    });
  });

  it('adds a pack from the command line (npx pecflow beats add-pack)', async () => {
    const cli = path.join(ROOT, 'dist/cli/main.js');
    if (!existsSync(cli)) throw new Error('dist/ is missing: run `npm run build` (npm test does) before these tests');
    const { tenant, admin } = await workspace();
    const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'beats', 'add-pack', ...args], { cwd: ROOT, encoding: 'utf8' });
    const wrong = run('--tenant', tenant.slug, '--beats', 'molti', '--expires', '2028-03-02');
    expect(wrong.status).toBe(64);
    expect(wrong.stderr).toMatch(/--beats/);
    const added = run('--tenant', tenant.slug, '--beats', '10000', '--expires', '2028-03-02');
    expect(added.stderr).toBe('');
    expect(added.stdout).toMatch(new RegExp(`^${tenant.slug}: added pack [0-9a-f-]{36} of 10000 beats`));
    expect(await balanceOf(admin)).toEqual({
      balance: 10_000,
      reserved: 0,
      available: 10_000,
      packs: [{ beats: 10_000, remaining: 10_000, expiresAt: '2028-03-02T23:00:00.000Z' }],
    });
  });
});
