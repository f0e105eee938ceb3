import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import pg from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ActivityLogRepository } from '../../src/audit/activity-log.repository.js';
import { ActivityLog, type ActivityRecord } from '../../src/audit/activity-log.js';
import { createDataSource } from '../../src/db/data-source.js';
import { TenantContext, type TenantScope } from '../../src/db/tenant-context.js';
import { Tenant } from '../../src/tenancy/tenant.entity.js';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';
import { signIn, WebClient } from '../support/web-client.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli/main.js');

/** A marker of this test's own entries: other test files write to demo's and acme's logs too. */
const marker = (): string => `run-${randomBytes(5).toString('hex')}`;

/** The `details.step` of each entry an API page lists. */
const steps = (res: request.Response): number[] =>
  (res.body as { entries: { details: { step: number } }[] }).entries.map((e) => e.details.step);

function day(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

/** Collects a download as bytes, whatever its content type. */
function binary(res: request.Response, done: (error: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}

/** What a DBA with table rights could do: switch the append-only trigger off for one transaction. */
async function tamper(dataSource: DataSource, sql: string, params: unknown[]): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.startTransaction();
  try {
    await runner.query('ALTER TABLE activity_log DISABLE TRIGGER activity_log_append_only');
    await runner.query(sql, params);
    await runner.query('ALTER TABLE activity_log ENABLE TRIGGER activity_log_append_only');
    await runner.commitTransaction();
  } catch (error) {
    await runner.rollbackTransaction();
    throw error;
  } finally {
    await runner.release();
  }
}

describe('activity log: hash chain, API, page, exports and verification', () => {
  let t: TestApp;
  let dataSource: DataSource;
  let log: ActivityLog;

  beforeAll(async () => {
    t = await startTestApp();
    dataSource = t.app.get(DataSource);
    log = t.app.get(ActivityLog);
  });
  afterAll(async () => {
    await t.close();
  });

  const api = () => request(t.app.getHttpServer());

  async function scopeOf(slug: string): Promise<TenantScope> {
    const tenant = await dataSource.getRepository(Tenant).findOneByOrFail({ slug });
    return { tenantId: tenant.id, slug };
  }

  /** A tenant of this test alone, for what must not touch demo's or acme's chains. */
  async function ownTenant(): Promise<TenantScope> {
    const slug = `audit-tamper-${randomBytes(4).toString('hex')}`;
    const tenant = await dataSource.getRepository(Tenant).save({ slug, name: 'Audit test', theme: 'civico', defaultLocale: 'it' as const });
    return { tenantId: tenant.id, slug };
  }

  const record = (scope: TenantScope, entry: ActivityRecord): Promise<void> => TenantContext.run(scope, () => log.record(entry));

  async function tokenFor(slug: string, user: { email: string; password: string }): Promise<string> {
    const res = await api()
      .post('/api/v1/auth/token')
      .set('Host', `${slug}.localhost`)
      .send({ email: user.email, password: user.password });
    expect(res.status).toBe(200);
    return res.body.accessToken as string;
  }

  it('chains entries per tenant and verifies them', async () => {
    const [demo, acme] = [await scopeOf('demo'), await scopeOf('acme')];
    const run = marker();
    for (const n of [1, 2, 3])
      await record(demo, { action: 'test.recorded', actor: 'system', resource: { type: 'test', id: run }, details: { n } });
    await record(acme, { action: 'test.recorded', actor: 'system', resource: { type: 'test', id: run } });

    const demoVerdict = await log.verify(demo.tenantId);
    expect(demoVerdict).toEqual({ ok: true, count: expect.any(Number) });
    expect(demoVerdict.count).toBeGreaterThanOrEqual(3);
    expect((await log.verify(acme.tenantId)).ok).toBe(true);

    // What a visitor typed may hold characters PostgreSQL cannot store; recording must not fail on them.
    const odd = await ownTenant();
    await record(odd, {
      action: 'auth.sign-in-failed',
      actor: 'system',
      details: { email: 'a\u0000b\ud800@x.test', at: new Date(0), gone: undefined },
    });
    const [stored] = (await TenantContext.run(odd, () => log.search({ limit: 1 }))).entries;
    expect(stored!.details).toEqual({ email: 'a\ufffdb\ufffd@x.test', at: '1970-01-01T00:00:00.000Z' });
    expect(await log.verify(odd.tenantId)).toEqual({ ok: true, count: 1 });

    const mine = await TenantContext.run(demo, () => log.search({ resourceType: 'test', resourceId: run, limit: 10 }));
    expect(mine.entries.map((e) => e.details)).toEqual([{ n: 3 }, { n: 2 }, { n: 1 }]);
    expect(mine.entries[0]!.seq).toBeGreaterThan(mine.entries[2]!.seq);
    for (const entry of mine.entries) expect(entry.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('appends 30 concurrent entries as one gapless, valid chain', async () => {
    const own = await ownTenant();
    await Promise.all(Array.from({ length: 30 }, (_, i) => record(own, { action: 'test.concurrent', actor: 'system', details: { i } })));
    const page = await TenantContext.run(own, () => log.search({ limit: 100 }));
    expect(page.entries.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => 30 - i));
    expect(page.entries.at(-1)!.prevHash).toBe('0'.repeat(64));
    expect(await log.verify(own.tenantId)).toEqual({ ok: true, count: 30 });
  });

  it('refuses UPDATE, DELETE and TRUNCATE in the database itself', async () => {
    const own = await ownTenant();
    await record(own, { action: 'test.kept', actor: 'system' });
    await expect(
      dataSource.query(`UPDATE activity_log SET details = '{"forged":true}' WHERE tenant_id = $1`, [own.tenantId]),
    ).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(dataSource.query('DELETE FROM activity_log WHERE tenant_id = $1', [own.tenantId])).rejects.toThrow(
      /append-only: DELETE refused/,
    );
    // In a transaction rolled back whatever happens: the table is shared with every other test.
    const runner = dataSource.createQueryRunner();
    await runner.startTransaction();
    await expect(runner.query('TRUNCATE activity_log')).rejects.toThrow(/append-only: TRUNCATE refused/);
    await runner.rollbackTransaction();
    await runner.release();
    const repository = t.app.get<ActivityLogRepository, Record<'update' | 'delete', (where: unknown) => unknown>>(ActivityLogRepository);
    expect(() => repository.delete({})).toThrow(/append-only/);
    expect(() => repository.update({})).toThrow(/append-only/);
    expect(await log.verify(own.tenantId)).toEqual({ ok: true, count: 1 });
  });

  it('names the exact entry a DBA edited, and the one after an entry a DBA deleted', async () => {
    const edited = await ownTenant();
    for (const n of [1, 2, 3, 4, 5]) await record(edited, { action: 'test.tamper', actor: 'system', details: { amount: n } });
    await tamper(dataSource, `UPDATE activity_log SET details = '{"amount":300}' WHERE tenant_id = $1 AND seq = 3`, [edited.tenantId]);
    const third = await dataSource.query<{ id: string }[]>('SELECT id FROM activity_log WHERE tenant_id = $1 AND seq = 3', [
      edited.tenantId,
    ]);
    expect(await log.verify(edited.tenantId)).toEqual({
      ok: false,
      count: 2,
      firstBad: { seq: 3, id: third[0]!.id, reason: 'hash-mismatch' },
    });

    const deleted = await ownTenant();
    for (const n of [1, 2, 3, 4, 5]) await record(deleted, { action: 'test.tamper', actor: 'system', details: { amount: n } });
    await tamper(dataSource, 'DELETE FROM activity_log WHERE tenant_id = $1 AND seq = 3', [deleted.tenantId]);
    const verdict = await log.verify(deleted.tenantId);
    expect(verdict).toMatchObject({ ok: false, count: 2, firstBad: { seq: 4, reason: 'missing-entry' } });
  });

  it('answers the API for administrators only, filtered, paged, and never across tenants', async () => {
    const demo = await scopeOf('demo');
    const acme = await scopeOf('acme');
    const run = marker();
    const demoAdmin = await createUser(t.app, 'demo', { roles: ['admin'] });
    const acmeAdmin = await createUser(t.app, 'acme', { roles: ['admin'] });
    const plain = await createUser(t.app, 'demo', { roles: ['user'] });
    const actor = { id: demoAdmin.id, email: demoAdmin.email };
    await record(demo, { action: 'test.alpha', actor, resource: { type: 'test', id: run }, ip: '192.0.2.7', details: { step: 1 } });
    await record(demo, { action: 'test.beta', actor: 'system', resource: { type: 'test', id: run }, details: { step: 2 } });
    await record(demo, { action: 'test.alpha', actor: 'system', resource: { type: 'test', id: run }, details: { step: 3 } });
    await record(acme, { action: 'test.alpha', actor: 'system', resource: { type: 'test', id: run } });

    const demoToken = await tokenFor('demo', demoAdmin);
    const get = (query: string, token = demoToken, host = 'demo.localhost') =>
      api().get(`/api/v1/audit?${query}`).set('Host', host).set('Authorization', `Bearer ${token}`);

    const all = await get(`resourceType=test&resourceId=${run}`);
    expect(all.status).toBe(200);
    expect(all.body.next).toBeNull();
    expect(all.body.entries).toHaveLength(3);
    expect(all.body.entries[2]).toEqual({
      seq: expect.any(Number),
      at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      actor: { id: demoAdmin.id, label: demoAdmin.email },
      action: 'test.alpha',
      resource: { type: 'test', id: run },
      details: { step: 1 },
      ip: '192.0.2.7',
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      prevHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(all.body.entries[1].actor).toEqual({ id: null, label: 'system' });

    const alpha = await get(`resourceId=${run}&action=TEST.AL`);
    expect(steps(alpha)).toEqual([3, 1]);
    const byActor = await get(`resourceId=${run}&actor=${encodeURIComponent(demoAdmin.email.slice(0, 12).toUpperCase())}`);
    expect(steps(byActor)).toEqual([1]);
    expect((await get(`resourceId=${run}&from=${day(-2)}&to=${day(2)}`)).body.entries).toHaveLength(3);
    expect((await get(`resourceId=${run}&from=${day(2)}`)).body.entries).toHaveLength(0);
    expect((await get(`resourceId=${run}&to=${day(-2)}`)).body.entries).toHaveLength(0);
    const since = new Date(Date.now() - 3_600_000).toISOString();
    expect((await get(`resourceId=${run}&from=${encodeURIComponent(since)}`)).body.entries).toHaveLength(3);

    const first = await get(`resourceId=${run}&limit=2`);
    expect(first.body.entries).toHaveLength(2);
    expect(first.body.next).toBe(first.body.entries[1].seq);
    const second = await get(`resourceId=${run}&limit=2&cursor=${first.body.next}`);
    expect(steps(second)).toEqual([1]);
    expect(second.body.next).toBeNull();

    for (const bad of ['limit=501', 'limit=0', 'from=ieri', 'to=2026-02-30', 'cursor=-1', 'action=a%20b', 'colour=blue']) {
      const res = await get(bad);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.type).toBe('urn:pecflow:problem:validation');
    }

    expect((await api().get('/api/v1/audit').set('Host', 'demo.localhost')).status).toBe(401);
    const forbidden = await get('', await tokenFor('demo', plain));
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.type).toBe('urn:pecflow:problem:forbidden');

    const acmeToken = await tokenFor('acme', acmeAdmin);
    const acmeView = await get(`resourceId=${run}`, acmeToken, 'acme.localhost');
    expect(acmeView.status).toBe(200);
    expect(acmeView.body.entries).toHaveLength(1);
    expect((await get(`actor=${encodeURIComponent(demoAdmin.email)}`, acmeToken, 'acme.localhost')).body.entries).toEqual([]);
    expect((await get('', demoToken, 'acme.localhost')).status).toBe(401);

    const doc = await api().get('/api/docs-json').set('Host', 'demo.localhost');
    const parameters = (doc.body as { paths: Record<string, { get: { parameters: { name: string }[] } }> }).paths['/api/v1/audit']!.get
      .parameters;
    expect(parameters.map((p) => p.name)).toEqual(['actor', 'action', 'resourceType', 'resourceId', 'from', 'to', 'limit', 'cursor']);
  });

  it('shows the page to administrators, with filters and export links', async () => {
    const demo = await scopeOf('demo');
    const run = marker();
    const admin = await createUser(t.app, 'demo', { roles: ['admin'] });
    await record(demo, {
      action: 'auth.sign-in-failed',
      actor: 'system',
      resource: { type: 'test', id: run },
      details: { email: 'x@y.test' },
    });
    const web = new WebClient(t.app.getHttpServer(), 'demo.localhost');
    await signIn(web, admin.email, admin.password);

    const page = await web.get(`/admin/audit?resourceId=${run}&actor=`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1 id="audit-heading">Registro attività</h1>');
    expect(page.text).toContain('<label for="filter-actor">Chi (e-mail)</label>');
    expect(page.text).toContain('Accesso non riuscito');
    // Handlebars escapes `=` in attributes; browsers read it back.
    const html = page.text.replaceAll('&#x3D;', '=');
    expect(html).toContain(`href="/admin/audit/export.csv?resourceId=${run}"`);
    expect(html).toContain(`href="/admin/audit/export.xlsx?resourceId=${run}"`);
    expect((await web.get('/')).text).toContain('href="/admin/audit"');

    const invalid = await web.get('/admin/audit?from=ieri');
    expect(invalid.status).toBe(400);
    expect(invalid.text).toContain('Filtri non validi: controlla Dal giorno.');

    const user = await createUser(t.app, 'demo', { roles: ['user'] });
    const other = new WebClient(t.app.getHttpServer(), 'demo.localhost');
    await signIn(other, user.email, user.password);
    expect((await other.get('/admin/audit')).status).toBe(403);
    expect((await other.get('/')).text).not.toContain('href="/admin/audit"');
  });

  it('exports CSV that Italian Excel opens and XLSX that parses back, and records who exported', async () => {
    const demo = await scopeOf('demo');
    const run = marker();
    const admin = await createUser(t.app, 'demo', { roles: ['admin'] });
    await record(demo, {
      action: 'test.export',
      actor: 'system',
      resource: { type: 'test', id: run },
      details: { note: 'città; "quotata"' },
    });
    await record(demo, { action: 'test.export', actor: 'system', resource: { type: 'test', id: run }, details: { note: 'n' }, ip: '=1+1' });
    const signed = await signIn(new WebClient(t.app.getHttpServer(), 'demo.localhost'), admin.email, admin.password);
    const cookie = ([] as string[])
      .concat(signed.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('pf_session='))!
      .split(';')[0]!;
    const download = (file: string) =>
      api().get(`/admin/audit/${file}?resourceId=${run}`).set('Host', 'demo.localhost').set('Cookie', cookie).buffer(true).parse(binary);

    const csv = await download('export.csv');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="?registro-attivita-demo-\d{4}-\d{2}-\d{2}\.csv"?$/);
    expect(csv.headers['cache-control']).toBe('no-store');
    const bytes = csv.body as Buffer;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines[0]).toBe(
      'N.;Data e ora (UTC);Chi;Azione;Tipo di risorsa;Identificativo della risorsa;Indirizzo IP;Dettagli;Impronta precedente;Impronta',
    );
    expect(lines).toHaveLength(4);
    const quoted = (text: string): string => `"${text.replaceAll('"', '""')}"`;
    // Newest first; a value a spreadsheet would run as a formula stays text.
    expect(lines[1]).toContain(`;system;test.export;test;${run};'=1+1;${quoted('{"note":"n"}')};`);
    expect(lines[2]).toContain(`;system;test.export;test;${run};;${quoted(JSON.stringify({ note: 'città; "quotata"' }))};`);

    const xlsx = await download('export.xlsx');
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers['content-type']).toMatch(/spreadsheetml/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(new Uint8Array(xlsx.body as Buffer).buffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(1).getCell(3).value).toBe('Chi');
    expect(sheet.rowCount).toBe(3);
    expect(sheet.getRow(2).getCell(6).value).toBe(run);
    expect(sheet.getRow(2).getCell(7).value).toBe('=1+1');
    expect(sheet.getRow(2).getCell(8).value).toBe('{"note":"n"}');
    expect(sheet.getRow(3).getCell(2).value).toBeInstanceOf(Date);

    const exports = await TenantContext.run(demo, () => log.search({ action: 'audit.exported', actor: admin.email, limit: 10 }));
    expect(exports.entries.map((e) => e.details)).toEqual([
      { format: 'xlsx', filters: { resourceId: run } },
      { format: 'csv', filters: { resourceId: run } },
    ]);
    expect(exports.entries[0]!.actorId).toBe(admin.id);

    expect((await api().get('/admin/audit/export.csv?from=ieri').set('Host', 'demo.localhost').set('Cookie', cookie)).status).toBe(400);
    expect((await api().get('/admin/audit/export.csv').set('Host', 'demo.localhost').set('Accept', 'text/html')).status).toBe(303);
  });

  it('`pecflow audit verify --tenant demo` says ok, then names the entry edited in the database', async () => {
    if (!existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` (npm test does) before these tests');
    // A database of its own: editing demo's log here must not break the tests running beside this one.
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `${url.pathname}_audit`;
    const env = {
      ...process.env,
      DATABASE_URL: url.toString(),
      TENANTS_DIR: path.join(ROOT, 'tenants'),
      THEMES_DIR: path.join(ROOT, 'themes'),
    };
    const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', cwd: ROOT });
    let separate: DataSource | undefined;
    try {
      expect(cli('db', 'migrate').status).toBe(0);
      expect(cli('tenants', 'sync').status).toBe(0);
      separate = await createDataSource({ DATABASE_URL: url.toString() }).initialize();
      const tenant = await separate.getRepository(Tenant).findOneByOrFail({ slug: 'demo' });
      // The sync itself logs (the workflows it deploys into demo): four more entries follow those.
      const [synced] = await separate.query<{ count: string }[]>('SELECT count(*) FROM activity_log WHERE tenant_id = $1', [tenant.id]);
      const separateLog = new ActivityLog(new ActivityLogRepository(separate), separate);
      await TenantContext.run({ tenantId: tenant.id, slug: 'demo' }, async () => {
        for (const n of [1, 2, 3, 4]) await separateLog.record({ action: 'test.cli', actor: 'system', details: { n } });
      });

      const ok = cli('audit', 'verify', '--tenant', 'demo');
      expect(ok.stdout).toMatch(new RegExp(`^ok ${Number(synced!.count) + 4} entries$`, 'm'));
      expect(ok.status).toBe(0);

      const unknown = cli('audit', 'verify', '--tenant', 'nessuno');
      expect(unknown.status).toBe(1);
      expect(unknown.stderr).toContain('no tenant "nessuno"');
      expect(cli('audit', 'verify').status).toBe(64);

      await tamper(separate, `UPDATE activity_log SET details = '{"n":20}' WHERE tenant_id = $1 AND seq = 2`, [tenant.id]);
      const [second] = await separate.query<{ id: string }[]>('SELECT id FROM activity_log WHERE tenant_id = $1 AND seq = 2', [tenant.id]);
      const broken = cli('audit', 'verify', '--tenant', 'demo');
      expect(broken.status).toBe(1);
      expect(broken.stdout).toContain(`broken at entry #2 (id ${second!.id}): hash-mismatch\n`);
    } finally {
      await separate?.destroy();
      const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${url.pathname.slice(1)} WITH (FORCE)`);
      await admin.end();
    }
  });
});
