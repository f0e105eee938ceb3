import { createUser, startTestApp, type TestApp } from '../support/test-app.js';
import { signIn, WebClient } from '../support/web-client.js';

describe('pages: sign-in, sessions, CSRF and roles', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const client = (host = 'demo.localhost', language = 'it') => new WebClient(t.app.getHttpServer(), host, language);

  it('sends visitors to the branded sign-in page and back where they were going', async () => {
    const user = await createUser(t.app, 'demo');
    const web = client();
    const desktop = await web.get('/profile');
    expect(desktop.status).toBe(303);
    expect(desktop.headers.location).toBe('/login?next=%2Fprofile');
    const page = await web.get('/login?next=%2Fprofile');
    expect(page.text).toContain('href="/theme/theme.css"');
    expect(page.text).toContain('<label for="email">Indirizzo e-mail</label>');
    const signed = await web.post('/login', {
      _csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!,
      email: user.email,
      password: user.password,
      next: '/profile',
    });
    expect(signed.status).toBe(303);
    expect(signed.headers.location).toBe('/profile');
    const cookie = ([] as string[]).concat(signed.headers['set-cookie'] ?? []).find((c) => c.startsWith('pf_session='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Domain=/);
    expect((await web.get('/profile')).text).toContain(user.email);
  });

  it('never redirects off-site after sign-in', async () => {
    const user = await createUser(t.app, 'demo');
    const web = client();
    await web.get('/login');
    const res = await web.submit('/login', '/login', { email: user.email, password: user.password, next: '//evil.example/x' });
    expect(res.headers.location).toBe('/');
  });

  it('refuses a form without a valid CSRF token', async () => {
    const user = await createUser(t.app, 'demo');
    const web = client();
    await web.get('/login');
    const forged = await web.post('/login', { _csrf: 'forged', email: user.email, password: user.password });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('Modulo scaduto');
    expect((await web.post('/login', { email: user.email, password: user.password })).status).toBe(403);
  });

  it('says what went wrong on a failed sign-in, in the page language, and locks after repeated failures', async () => {
    const user = await createUser(t.app, 'demo');
    const web = client('demo.localhost', 'en');
    const wrong = await signIn(web, user.email, 'not the password');
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('Wrong e-mail or password.');
    expect(wrong.text).toContain(`value="${user.email}"`);
    for (let i = 0; i < 4; i += 1) await signIn(web, user.email, `still wrong ${i}`);
    const locked = await signIn(web, user.email, user.password);
    expect(locked.status).toBe(429);
    expect(locked.text).toMatch(/Too many failed attempts\. Try again in \d+ minutes\./);
  });

  it('signs out for real: the old session cookie no longer opens anything', async () => {
    const user = await createUser(t.app, 'demo');
    const web = client();
    await signIn(web, user.email, user.password);
    expect((await web.get('/')).status).toBe(200);
    const out = await web.submit('/', '/logout', {});
    expect(out.headers.location).toBe('/login?signedOut=1');
    expect((await web.get('/login?signedOut=1')).text).toContain('Sei uscito da pecflow.');
    expect((await web.get('/')).status).toBe(303);
  });

  it('does not carry a session from one workspace to another', async () => {
    const user = await createUser(t.app, 'demo', { roles: ['admin'] });
    const web = client();
    await signIn(web, user.email, user.password);
    expect((await web.get('/admin/users')).status).toBe(200);
    const onAcme = await web.as('acme.localhost').get('/admin/users');
    expect(onAcme.status).toBe(303);
    expect(onAcme.headers.location).toMatch(/^\/login/);
  });

  it('shows administrators their own workspace users only, and refuses others', async () => {
    const admin = await createUser(t.app, 'demo', { roles: ['admin'] });
    const acmeUser = await createUser(t.app, 'acme', { displayName: 'Solo Acme' });
    const web = client();
    await signIn(web, admin.email, admin.password);
    const list = await web.get('/admin/users');
    expect(list.text).toContain(admin.email);
    expect(list.text).not.toContain(acmeUser.email);

    const operator = await createUser(t.app, 'demo', { roles: ['operator'] });
    const other = client();
    await signIn(other, operator.email, operator.password);
    // An operator's reach over people is their own record: the list shows nobody else, creating is refused.
    const ownOnly = await other.get('/admin/users');
    expect(ownOnly.text).toContain(operator.email);
    expect(ownOnly.text).not.toContain(admin.email);
    const refused = await other.get('/admin/users/new');
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Operazione non consentita');
  });

  it('keeps a user who must change the password away from everything else', async () => {
    const user = await createUser(t.app, 'demo', { mustChangePassword: true });
    const web = client();
    const signed = await signIn(web, user.email, user.password);
    expect(signed.headers.location).toBe('/password/change');
    expect((await web.get('/profile')).headers.location).toBe('/password/change');
    const mismatch = await web.submit('/password/change', '/password/change', {
      current: user.password,
      password: 'una nuova frase lunga',
      confirm: 'un altra frase',
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.text).toContain('Le due password non coincidono.');
    const done = await web.submit('/password/change', '/password/change', {
      current: user.password,
      password: 'una nuova frase lunga',
      confirm: 'una nuova frase lunga',
    });
    expect(done.headers.location).toBe('/?passwordChanged=1');
    expect((await web.get('/profile')).status).toBe(200);
  });

  it('remembers the language a user picks in the profile', async () => {
    const user = await createUser(t.app, 'demo');
    const web = client('demo.localhost', 'it');
    await signIn(web, user.email, user.password);
    await web.submit('/profile', '/profile', { locale: 'en' });
    const page = await web.get('/');
    expect(page.text).toContain('<html lang="en">');
    expect(page.text).toContain('My profile');
  });
});
