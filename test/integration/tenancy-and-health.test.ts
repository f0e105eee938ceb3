import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('tenancy from the Host header, branding and health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const http = () => request(t.app.getHttpServer());

  it('reports liveness and readiness on any host', async () => {
    expect((await http().get('/health/live').set('Host', 'nobody.localhost')).status).toBe(200);
    const ready = await http().get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok' });
  });

  it('answers an unknown host with a neutral Italian 404 page, or a problem for the API', async () => {
    const page = await http().get('/login').set('Host', 'nobody.localhost').set('Accept', 'text/html').set('Accept-Language', 'en');
    expect(page.status).toBe(404);
    expect(page.text).toContain('Nessun workspace pecflow risponde a questo indirizzo');
    expect(page.text).not.toContain('/theme/theme.css');
    const api = await http().get('/api/v1/me').set('Host', 'nobody.localhost');
    expect(api.status).toBe(404);
    expect(api.body.type).toBe('urn:pecflow:problem:unknown-tenant');
  });

  it('finds a tenant by <slug>.<BASE_DOMAIN> and by a custom domain from its file', async () => {
    const bySlug = await http().get('/login').set('Host', 'acme.localhost:3000');
    const byDomain = await http().get('/login').set('Host', 'pec.acme.example');
    expect(bySlug.status).toBe(200);
    expect(byDomain.status).toBe(200);
    expect(bySlug.text).toContain('Acme S.p.A.');
    expect(byDomain.text).toContain('Acme S.p.A.');
    expect((await http().get('/login').set('Host', 'demo.acme.localhost')).status).toBe(404);
  });

  it('serves each tenant its own theme as CSS variables and its own images', async () => {
    const demo = await http().get('/theme/theme.css').set('Host', 'demo.localhost');
    const acme = await http().get('/theme/theme.css').set('Host', 'acme.localhost');
    expect(demo.headers['content-type']).toMatch(/text\/css/);
    expect(demo.text).toContain('--pf-primary: #0b4f8a;');
    expect(acme.text).toContain('--pf-primary: #0f5b55;');
    const logo = await http().get('/theme/assets/logo.svg').set('Host', 'acme.localhost');
    expect(logo.status).toBe(200);
    expect(logo.headers['content-type']).toMatch(/svg/);
    expect((await http().get('/theme/assets/theme.yaml').set('Host', 'acme.localhost')).status).toBe(404);
    expect((await http().get('/theme/assets/..%2F..%2Fpackage.json').set('Host', 'acme.localhost')).status).toBe(404);
  });

  it('speaks Italian by default and English when the browser asks', async () => {
    const italian = await http().get('/login').set('Host', 'demo.localhost');
    expect(italian.text).toContain('<html lang="it">');
    expect(italian.text).toContain('Accedi a Comune di Demo');
    const en = await http().get('/login').set('Host', 'demo.localhost').set('Accept-Language', 'en-US,en;q=0.9');
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toContain('Sign in to Comune di Demo');
  });
});
