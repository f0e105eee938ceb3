import { DataSource } from 'typeorm';
import { hotp, base32Decode, totpStep } from '../../src/identity/totp.js';
import { ApiClient } from '../support/api-client.js';
import { createTenant, createUser, startTestApp, type TestApp } from '../support/test-app.js';
import { signIn, WebClient } from '../support/web-client.js';

describe('workspace access policies', () => {
  let t: TestApp;
  const slug = `pol-${Date.now().toString(36)}`;
  const host = `${slug}.localhost`;
  let admin: ApiClient;
  let adminUser: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    t = await startTestApp();
    await createTenant(t.app, slug);
    adminUser = await createUser(t.app, slug, { roles: ['admin'] });
    admin = await ApiClient.signIn(t.app.getHttpServer(), host, adminUser.email, adminUser.password);
  });
  afterAll(async () => {
    await t.close();
  });

  const db = () => t.app.get(DataSource);

  it('refuses a malformed allow-list and one that would lock the admin out', async () => {
    const bad = await admin.put('/api/v1/admin/policies', { ipAllowlist: ['non-un-indirizzo'] });
    expect(bad.status).toBe(422);
    const lockout = await admin.put('/api/v1/admin/policies', { ipAllowlist: ['203.0.113.0/24'] });
    expect(lockout.status).toBe(422);
    expect(JSON.stringify(lockout.body)).toContain('lock out');
    const ok = await admin.put('/api/v1/admin/policies', { ipAllowlist: ['127.0.0.0/8', '::1'] });
    expect(ok.status).toBe(200);
    expect(ok.body.ipAllowlist).toEqual(['127.0.0.0/8', '::1/128']);
  });

  it('turns away requests from outside the allow-list, pages and API alike', async () => {
    const other = await createTenant(t.app, `${slug}-ip`);
    const user = await createUser(t.app, other.slug);
    await db().query(`INSERT INTO workspace_policies (tenant_id, ip_allowlist) VALUES ($1, '{203.0.113.0/24}')`, [other.id]);
    const api = await new ApiClient(t.app.getHttpServer(), `${other.slug}.localhost`).post('/api/v1/auth/token', {
      email: user.email,
      password: user.password,
    });
    expect(api.status).toBe(403);
    expect(api.body.type).toBe('urn:pecflow:problem:address-not-allowed');
    const page = await new WebClient(t.app.getHttpServer(), `${other.slug}.localhost`).get('/login');
    expect(page.status).toBe(403);
    expect(page.text).toContain('Accesso non consentito da questo indirizzo di rete');
    // the other workspaces are not affected
    expect((await new WebClient(t.app.getHttpServer(), host).get('/login')).status).toBe(200);
  });

  it('ends sessions idle for longer than the workspace allows', async () => {
    await admin.put('/api/v1/admin/policies', { sessionIdleMinutes: 5 }).expect(200);
    const user = await createUser(t.app, slug);
    const web = new WebClient(t.app.getHttpServer(), host);
    await signIn(web, user.email, user.password);
    expect((await web.get('/')).status).toBe(200);
    await db().query(`UPDATE sessions SET last_seen_at = now() - interval '6 minutes' WHERE user_id = $1`, [user.id]);
    expect((await web.get('/')).status).toBe(303);
  });

  it('applies the workspace’s minimum password length', async () => {
    await admin.put('/api/v1/admin/policies', { passwordMinLength: 20 }).expect(200);
    const user = await createUser(t.app, slug, { mustChangePassword: true });
    const web = new WebClient(t.app.getHttpServer(), host);
    await signIn(web, user.email, user.password);
    const refused = await web.submit('/password/change', '/password/change', {
      current: user.password,
      password: 'sedici caratteri',
      confirm: 'sedici caratteri',
    });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('almeno 20 caratteri');
    expect((await web.get('/password/change')).text).toContain('Almeno 20 caratteri');
    await admin.put('/api/v1/admin/policies', { passwordMinLength: 12 }).expect(200);
  });

  it('requires a TOTP second factor for admins when the policy says so', async () => {
    await admin.put('/api/v1/admin/policies', { secondFactor: 'admins' }).expect(200);
    const boss = await createUser(t.app, slug, { roles: ['admin'] });
    const web = new WebClient(t.app.getHttpServer(), host);
    await signIn(web, boss.email, boss.password);
    const desk = await web.get('/');
    expect(desk.status).toBe(303);
    expect(desk.headers.location).toBe('/profile/two-step');
    const setup = await web.get('/profile/two-step');
    expect(setup.text).toContain('<svg');
    const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(setup.text)![1]!.replace(/ /g, '');
    const code = (at = Date.now()) => hotp(base32Decode(secret), totpStep(at));
    expect((await web.send('/profile/two-step', { code: '000000' })).status).toBe(400);
    const confirmed = await web.send('/profile/two-step', { code: code() });
    expect(confirmed.headers.location).toBe('/profile/two-step?done=1');
    expect((await web.get('/')).status).toBe(200);

    // Next sign-in: password, then the code of the following time step (each code is good once).
    const again = new WebClient(t.app.getHttpServer(), host);
    const first = await signIn(again, boss.email, boss.password);
    expect(first.headers.location).toBe('/login/verify');
    expect((await again.get('/')).status).toBe(303);
    const wrong = await again.submit('/login/verify', '/login/verify', { code: '123456' });
    expect(wrong.status).toBe(401);
    const next = code(Date.now() + 30_000);
    const verified = await again.submit('/login/verify', '/login/verify', { code: next });
    expect(verified.headers.location).toBe('/');
    expect((await again.get('/')).status).toBe(200);

    // The API asks for the code too.
    const api = new ApiClient(t.app.getHttpServer(), host);
    const missing = await api.post('/api/v1/auth/token', { email: boss.email, password: boss.password });
    expect(missing.status).toBe(401);
    expect(missing.body.type).toBe('urn:pecflow:problem:second-factor-required');
    const replayed = await api.post('/api/v1/auth/token', { email: boss.email, password: boss.password, otp: next });
    expect(replayed.body.type).toBe('urn:pecflow:problem:second-factor-invalid');

    // Plain users are not asked for it under the "admins" rule.
    const plain = await createUser(t.app, slug);
    const plainWeb = new WebClient(t.app.getHttpServer(), host);
    await signIn(plainWeb, plain.email, plain.password);
    expect((await plainWeb.get('/')).status).toBe(200);
    // The API admin of this test has no second factor, so the rule now shuts them out too.
    expect((await admin.get('/api/v1/admin/policies')).body.type).toBe('urn:pecflow:problem:second-factor-required');
    await db().query(
      `UPDATE workspace_policies SET second_factor = 'optional' WHERE tenant_id = (SELECT id FROM tenants WHERE slug = $1)`,
      [slug],
    );
  });

  it('records every policy change in the activity log', async () => {
    const log = await admin.get('/api/v1/audit?action=policy.changed');
    expect(log.status).toBe(200);
    expect((log.body as { entries: unknown[] }).entries.length).toBeGreaterThanOrEqual(4);
  });
});
