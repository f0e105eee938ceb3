import request from 'supertest';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';

describe('JSON API: bearer tokens, /me and problem responses', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const api = () => request(t.app.getHttpServer());

  it('issues a token for the right password and answers /me with the user, tenant and roles', async () => {
    const user = await createUser(t.app, 'demo', { roles: ['operator', 'manager'] });
    const token = await api()
      .post('/api/v1/auth/token')
      .set('Host', 'demo.localhost')
      .send({ email: user.email.toUpperCase(), password: user.password });
    expect(token.status).toBe(200);
    expect(token.body).toEqual({ accessToken: expect.any(String), expiresIn: expect.any(Number) });
    const me = await api().get('/api/v1/me').set('Host', 'demo.localhost').set('Authorization', `Bearer ${token.body.accessToken}`);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: user.email, tenant: 'demo', roles: ['manager', 'operator'] });
  });

  it('answers a wrong password with a translated 401 problem', async () => {
    const user = await createUser(t.app, 'demo');
    const res = await api().post('/api/v1/auth/token').set('Host', 'demo.localhost').send({ email: user.email, password: 'sbagliata!!!' });
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: 'urn:pecflow:problem:invalid-credentials', title: 'Credenziali non valide', status: 401 });
    const en = await api()
      .post('/api/v1/auth/token')
      .set('Host', 'demo.localhost')
      .set('Accept-Language', 'en-GB,en;q=0.9')
      .send({ email: user.email, password: 'sbagliata!!!' });
    expect(en.body.title).toBe('Invalid credentials');
  });

  it('lists every wrong field of a malformed body', async () => {
    const res = await api().post('/api/v1/auth/token').set('Host', 'demo.localhost').send({ email: 42 });
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('urn:pecflow:problem:validation');
    expect((res.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort()).toEqual(['email', 'password']);
  });

  it('keeps tenants apart: same e-mail is another user, and a token only works on its own host', async () => {
    const email = `same-${Date.now()}@shared.test`;
    const onDemo = await createUser(t.app, 'demo', { email, password: 'password di demo 1' });
    await createUser(t.app, 'acme', { email, password: 'password di acme 2', roles: ['admin'] });
    const demoToken = await api().post('/api/v1/auth/token').set('Host', 'demo.localhost').send({ email, password: onDemo.password });
    expect(demoToken.status).toBe(200);
    const wrongTenantPassword = await api()
      .post('/api/v1/auth/token')
      .set('Host', 'acme.localhost')
      .send({ email, password: onDemo.password });
    expect(wrongTenantPassword.status).toBe(401);
    const crossed = await api()
      .get('/api/v1/me')
      .set('Host', 'acme.localhost')
      .set('Authorization', `Bearer ${demoToken.body.accessToken}`);
    expect(crossed.status).toBe(401);
    expect(crossed.headers['www-authenticate']).toMatch(/^Bearer/);
    const acmeMe = await api()
      .post('/api/v1/auth/token')
      .set('Host', 'acme.localhost')
      .send({ email, password: 'password di acme 2' })
      .then((r) => api().get('/api/v1/me').set('Host', 'acme.localhost').set('Authorization', `Bearer ${r.body.accessToken}`));
    expect(acmeMe.body).toMatchObject({ tenant: 'acme', roles: ['admin'] });
  });

  it('refuses missing, unknown and revoked tokens', async () => {
    expect((await api().get('/api/v1/me').set('Host', 'demo.localhost')).status).toBe(401);
    expect((await api().get('/api/v1/me').set('Host', 'demo.localhost').set('Authorization', 'Bearer pft_nope')).status).toBe(401);
    const user = await createUser(t.app, 'demo');
    const { body } = await api()
      .post('/api/v1/auth/token')
      .set('Host', 'demo.localhost')
      .send({ email: user.email, password: user.password });
    const auth = `Bearer ${body.accessToken}`;
    expect((await api().delete('/api/v1/auth/token').set('Host', 'demo.localhost').set('Authorization', auth)).status).toBe(204);
    expect((await api().get('/api/v1/me').set('Host', 'demo.localhost').set('Authorization', auth)).status).toBe(401);
  });

  it('refuses a blocked account', async () => {
    const user = await createUser(t.app, 'demo', { blocked: true });
    const res = await api().post('/api/v1/auth/token').set('Host', 'demo.localhost').send({ email: user.email, password: user.password });
    expect(res.status).toBe(403);
    expect(res.body.type).toBe('urn:pecflow:problem:account-blocked');
  });

  it('locks an account after repeated failures, even for the right password, and says when to retry', async () => {
    const user = await createUser(t.app, 'acme');
    for (let i = 0; i < 5; i += 1) {
      expect(
        (
          await api()
            .post('/api/v1/auth/token')
            .set('Host', 'acme.localhost')
            .send({ email: user.email, password: `wrong ${i}` })
        ).status,
      ).toBe(401);
    }
    const locked = await api()
      .post('/api/v1/auth/token')
      .set('Host', 'acme.localhost')
      .send({ email: user.email, password: user.password });
    expect(locked.status).toBe(429);
    expect(locked.body.type).toBe('urn:pecflow:problem:login-locked');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('publishes the OpenAPI document', async () => {
    const doc = await api().get('/api/docs-json').set('Host', 'demo.localhost');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/token', '/api/v1/me', '/health/ready']));
    const ui = await api().get('/api/docs').set('Host', 'demo.localhost');
    expect(ui.status).toBe(200);
    expect(ui.text).toMatch(/swagger/i);
  });
});
