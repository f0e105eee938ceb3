import { randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';
import { DataSource } from 'typeorm';
import { BeatPacks, italianToday } from '../../src/beats/beat-packs.js';
import { BeatsLedger } from '../../src/beats/beats-ledger.js';
import { BeatsMeter } from '../../src/beats/beats-meter.js';
import { PackExpiryWarnings } from '../../src/beats/pack-expiry-warnings.js';
import { TenantContext } from '../../src/db/tenant-context.js';
import type { Tenant } from '../../src/tenancy/tenant.entity.js';
import { ApiClient } from '../support/api-client.js';
import { eventually } from '../support/eventually.js';
import { countMail, startLocalMail, waitForMail } from '../support/local-mail.js';
import { createTenant, createUser, startTestApp, type TestApp } from '../support/test-app.js';
import { signIn, WebClient } from '../support/web-client.js';

interface UsageBody {
  rows: { key: string | null; label: string; beats: number; units: number; calls: number; overdraft: number }[];
  total: { beats: number; units: number; calls: number; overdraft: number };
}

/** An Italian day `days` after today, as YYYY-MM-DD. */
function dayFromToday(days: number): string {
  return italianToday(new Date(Date.now() + days * 86_400_000));
}

describe('beats visibility: usage reports, exports, cost preview, low-balance and expiry alerts', () => {
  let t: TestApp;
  let mail: Awaited<ReturnType<typeof startLocalMail>>;
  const tag = randomBytes(4).toString('hex');
  const today = italianToday();
  let tenant: Tenant;
  let admin: Awaited<ReturnType<typeof createUser>>;
  let adminMailbox: string;
  let alice: Awaited<ReturnType<typeof createUser>>;
  let bruno: Awaited<ReturnType<typeof createUser>>;
  let operator: Awaited<ReturnType<typeof createUser>>;
  const campaign = '6f1c2d3e-4a5b-4c6d-8e7f-001122334455';

  const inTenant = <T>(work: () => Promise<T>, of: Tenant = tenant): Promise<T> =>
    TenantContext.run({ tenantId: of.id, slug: of.slug }, work);
  const host = (of: Tenant = tenant) => `${of.slug}.localhost`;
  const api = (user: { email: string; password: string }, of: Tenant = tenant) =>
    ApiClient.signIn(t.app.getHttpServer(), host(of), user.email, user.password);

  beforeAll(async () => {
    mail = await startLocalMail();
    t = await startTestApp();
    // A workspace of its own: its ledger holds exactly the movements below.
    tenant = await createTenant(t.app, `beats-${tag}`);
    admin = await createUser(t.app, tenant.slug, { roles: ['admin'], displayName: `Admin ${tag}` });
    adminMailbox = await mail.mailbox(admin.email);
    alice = await createUser(t.app, tenant.slug, { displayName: `Alice ${tag}` });
    bruno = await createUser(t.app, tenant.slug, { displayName: `Bruno ${tag}` });
    operator = await createUser(t.app, tenant.slug, { grants: [{ role: 'operator', office: `Protocollo ${tag}` }] });
    const ledger = t.app.get(BeatsLedger);
    await inTenant(async () => {
      await t.app.get(BeatPacks).addHere({ beats: 1000, expires: dayFromToday(400) }, 'system');
      expect((await ledger.debit(`a1-${tag}`, 3, { plug: 'pec.send', units: 3, userId: alice.id })).outcome).toBe('charged');
      expect((await ledger.debit(`a2-${tag}`, 2, { plug: 'pec.send', units: 2, userId: alice.id, campaignId: campaign })).outcome).toBe(
        'charged',
      );
      expect((await ledger.debit(`b1-${tag}`, 7, { plug: 'pec.send', units: 7, userId: bruno.id })).outcome).toBe('charged');
      expect((await ledger.debit(`in-${tag}`, 1, { plug: 'pec.receive', units: 1 }, { overdraft: true })).outcome).toBe('charged');
      // A reservation and its release are not usage.
      const held = await ledger.reserve(`r-${tag}`, 50, { plug: 'pec.send', units: 50, userId: alice.id });
      if (held.outcome !== 'reserved') throw new Error('not reserved');
      await ledger.release(held.reservationId);
    });
    // Two debits of a past night, written as the ledger function writes them: 22:30 and 23:30 UTC of
    // 31 October 2025 are 23:30 of the 31st and 00:30 of 1 November in Rome (UTC+1 after DST).
    await t.app.get(DataSource).query(
      `INSERT INTO beat_ledger (tenant_id, kind, plug, units, beats, user_id, idempotency_key, created_at)
       VALUES ($1, 'debit', 'pec.send', 4, 4, $2, 'night-1', '2025-10-31T22:30:00Z'),
              ($1, 'debit', 'pec.send', 6, 6, $2, 'night-2', '2025-10-31T23:30:00Z')`,
      [tenant.id, bruno.id],
    );
  });
  afterAll(async () => {
    await t.close();
    await mail.close();
  });

  const usage = async (client: ApiClient, query: string): Promise<UsageBody> => {
    const res = await client.get(`/api/v1/beats/usage?${query}`);
    expect(res.status).toBe(200);
    return res.body as UsageBody;
  };

  it('sums the debits of a period by plug, user and campaign, leaving reservations out', async () => {
    const client = await api(admin);
    const byPlug = await usage(client, `from=${today}&to=${today}&groupBy=plug`);
    expect(byPlug.rows).toEqual([
      { key: 'pec.send', label: 'pec.send', beats: 12, units: 12, calls: 3, overdraft: 0 },
      { key: 'pec.receive', label: 'pec.receive', beats: 1, units: 1, calls: 1, overdraft: 0 },
    ]);
    expect(byPlug.total).toEqual({ beats: 13, units: 13, calls: 4, overdraft: 0 });

    const byUser = await usage(client, `from=${today}&to=${today}&groupBy=user`);
    expect(byUser.rows.map((row) => [row.key, row.label, row.beats])).toEqual([
      [bruno.id, `Bruno ${tag} <${bruno.email}>`, 7],
      [alice.id, `Alice ${tag} <${alice.email}>`, 5],
      [null, 'Piattaforma (PEC in arrivo)', 1],
    ]);
    const byCampaign = await usage(client, `from=${today}&to=${today}&groupBy=campaign`);
    expect(byCampaign.rows.map((row) => [row.key, row.beats, row.calls])).toEqual([
      [null, 11, 3],
      [campaign, 2, 1],
    ]);
    // The contract's default: groupBy=plug over this month so far.
    expect((await usage(client, '')).total.beats).toBe(13);
  });

  it('groups by Italian day and month', async () => {
    const client = await api(admin);
    const byDay = await usage(client, 'from=2025-10-31&to=2025-11-01&groupBy=day');
    expect(byDay.rows.map((row) => [row.key, row.beats])).toEqual([
      ['2025-10-31', 4],
      ['2025-11-01', 6],
    ]);
    const byMonth = await usage(client, 'from=2025-10-01&to=2025-11-30&groupBy=month');
    expect(byMonth.rows.map((row) => [row.key, row.beats, row.units])).toEqual([
      ['2025-10', 4, 4],
      ['2025-11', 6, 6],
    ]);
    expect((await usage(client, 'from=2025-11-01&to=2025-11-01&groupBy=day')).total.beats).toBe(6);
    const wrong = await client.get('/api/v1/beats/usage?from=2025-11-02&to=2025-11-01');
    expect(wrong.status).toBe(400);
    expect(wrong.headers['content-type']).toContain('application/problem+json');
    expect((await client.get('/api/v1/beats/usage?groupBy=office')).status).toBe(400);
  });

  it('exports XLSX with a summary and typed cells, and CSV for Italian Excel', async () => {
    const client = await api(admin);
    const xlsx = await client.download('/api/v1/beats/usage?from=2025-10-31&to=2025-11-01&groupBy=day&format=xlsx');
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(xlsx.headers['content-disposition']).toContain('beats-day-2025-10-31-2025-11-01.xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    const summary = book.getWorksheet('Riepilogo')!;
    expect(summary.getCell('B1').value).toEqual(new Date('2025-10-31T00:00:00Z'));
    expect(summary.getCell('B1').numFmt).toBe('dd/mm/yyyy');
    expect(summary.getCell('B4').value).toBe(10);
    const rows = book.getWorksheet('Consumi')!;
    expect(rows.getRow(1).values).toEqual([undefined, 'Chiave', 'Descrizione', 'Beats', 'Unità', 'Chiamate', 'Di cui in scoperto']);
    expect(rows.getCell('A2').value).toEqual(new Date('2025-10-31T00:00:00Z'));
    expect(rows.getCell('C2').value).toBe(4);
    expect(rows.getCell('A3').value).toEqual(new Date('2025-11-01T00:00:00Z'));
    expect(rows.getCell('C3').value).toBe(6);
    expect(rows.rowCount).toBe(3);

    const csv = await client.download(`/api/v1/beats/usage?from=${today}&to=${today}&groupBy=plug&format=csv`);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect([...csv.body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.body.subarray(3).toString('utf8').split('\r\n')).toEqual([
      'Chiave;Descrizione;Beats;Unità;Chiamate;Di cui in scoperto',
      'pec.send;pec.send;12;12;3;0',
      'pec.receive;pec.receive;1;1;1;0',
      'Totale;;13;13;4;0',
      '',
    ]);
  });

  it('answers usage to admins only, and only the workspace’s own', async () => {
    const asOperator = await api(operator);
    const denied = await asOperator.get(`/api/v1/beats/usage?from=${today}&to=${today}`);
    expect(denied.status).toBe(403);
    expect(denied.headers['content-type']).toContain('application/problem+json');
    expect((await asOperator.put('/api/v1/beats/alerts', { lowBalance: 5 })).status).toBe(403);
    const web = new WebClient(t.app.getHttpServer(), host());
    await signIn(web, operator.email, operator.password);
    expect((await web.get('/admin/beats')).status).toBe(403);
    expect((await web.get('/')).text).not.toContain('/admin/beats');

    const other = await createTenant(t.app, `beats-other-${tag}`);
    const otherAdmin = await createUser(t.app, other.slug, { roles: ['admin'] });
    const theirs = await usage(await api(otherAdmin, other), `from=2025-10-01&to=${today}&groupBy=user`);
    expect(theirs.rows).toEqual([]);
    expect(theirs.total.beats).toBe(0);
  });

  it('documents the new endpoints in the OpenAPI document', async () => {
    const doc = (await (await api(admin)).get('/api/docs-json')).body as {
      paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
    };
    expect(doc.paths['/api/v1/beats/usage']!.get!.parameters!.map((p) => p.name).sort()).toEqual(['format', 'from', 'groupBy', 'to']);
    expect(doc.paths['/api/v1/beats/preview']!.get!.parameters!.map((p) => p.name).sort()).toEqual(['plug', 'units']);
    expect(Object.keys(doc.paths['/api/v1/beats/alerts']!).sort()).toEqual(['get', 'put']);
  });

  it('previews the cost of an action with the available beats left', async () => {
    const client = await api(operator);
    const preview = await client.get('/api/v1/beats/preview?plug=pec.send&units=5');
    expect(preview.status).toBe(200);
    // 1000 bought − 13 charged (the overdraft-able receipt was covered by credit).
    expect(preview.body).toEqual({ plug: 'pec.send', units: 5, beats: 5, available: 987, after: 982, enough: true });
    const tooMuch = await client.get('/api/v1/beats/preview?plug=pec.send&units=988');
    expect(tooMuch.body).toMatchObject({ beats: 988, after: -1, enough: false });
    expect((await client.get('/api/v1/beats/preview?plug=teleport&units=1')).status).toBe(400);
  });

  it('alerts the admins once when available beats cross the threshold, by e-mail and with a banner', async () => {
    const client = await api(admin);
    const set = await client.put('/api/v1/beats/alerts', { lowBalance: 980 });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ lowBalance: 980, below: false });
    const meter = t.app.get(BeatsMeter);
    const send = (key: string, units: number) =>
      inTenant(() =>
        meter.around({ plug: 'pec.send', units, key: `${key}-${tag}`, principal: { userId: alice.id, email: alice.email } }, () =>
          Promise.resolve(),
        ),
      );
    await send('above', 5); // 982 left: still above
    await send('cross', 3); // 979: crossed
    await send('below', 1); // 978: still below, no second alert
    const received = await waitForMail(admin.email, adminMailbox, /^Beats in esaurimento$/);
    expect(received.text).toContain('scesi a 979');
    expect(received.text).toContain('soglia di avviso di 980');
    await send('more', 1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await countMail(admin.email, adminMailbox, /^Beats in esaurimento$/)).toBe(1);
    expect((await client.get('/api/v1/beats/alerts')).body).toEqual({ lowBalance: 980, below: true });

    const web = new WebClient(t.app.getHttpServer(), host());
    await signIn(web, admin.email, admin.password);
    const desktop = await web.get('/');
    expect(desktop.text).toContain('Credito basso: 977 beats disponibili, sotto la soglia di 980.');
    expect(desktop.text).toContain('977 disponibili · 0 riservati');
    const page = await web.get('/admin/beats');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Credito basso: 977 beats disponibili');

    // A new pack lifts the beats above the threshold: the next crossing alerts again.
    await inTenant(() => t.app.get(BeatPacks).addHere({ beats: 10, expires: dayFromToday(400) }, 'system'));
    await send('rearm', 1); // 986: above, re-armed
    await send('again', 10); // 976: crossed again
    await eventually(async () => (await countMail(admin.email, adminMailbox, /^Beats in esaurimento$/)) === 2);
  });

  it('sets the threshold from the admin page, recorded in the activity log', async () => {
    const web = new WebClient(t.app.getHttpServer(), host());
    await signIn(web, admin.email, admin.password);
    const saved = await web.submit('/admin/beats', '/admin/beats/alerts', { lowBalance: '100' });
    expect(saved.status).toBe(303);
    const page = await web.get(saved.headers.location as string);
    expect(page.text).toContain('Soglia salvata.');
    expect(page.text).toContain('value="100"');
    expect(page.text).not.toContain('Credito basso');
    const logged = await t.app
      .get(DataSource)
      .query<{ details: { lowBalance: number } }[]>(
        `SELECT details FROM activity_log WHERE tenant_id = $1 AND action = 'beats.threshold-changed' ORDER BY seq DESC LIMIT 1`,
        [tenant.id],
      );
    expect(logged[0]?.details.lowBalance).toBe(100);

    const english = new WebClient(t.app.getHttpServer(), host(), 'en');
    await signIn(english, admin.email, admin.password);
    const inEnglish = await english.get('/admin/beats');
    expect(inEnglish.text).toContain('Usage by service');
    expect(inEnglish.text).toContain('Alert when available beats go below');
  });

  it('warns of a pack expiring once per warning, however often the job runs', async () => {
    const expiring = await createTenant(t.app, `beats-exp-${tag}`);
    const owner = await createUser(t.app, expiring.slug, { roles: ['admin'] });
    const box = await mail.mailbox(owner.email);
    await inTenant(() => t.app.get(BeatPacks).addHere({ beats: 500, expires: dayFromToday(5) }, 'system'), expiring);
    const warnings = t.app.get(PackExpiryWarnings);
    await warnings.warn();
    await warnings.warn();
    const received = await waitForMail(owner.email, box, /^Un pacchetto di beats scade il /);
    expect(received.text).toContain('restano 500 beats');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await countMail(owner.email, box, /^Un pacchetto di beats scade il /)).toBe(1);
  });
});
