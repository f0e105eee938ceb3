import { startLocalMail, waitForMail } from '../support/local-mail.js';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';
import { WebClient } from '../support/web-client.js';

describe('password reset by e-mail link, through real SMTP into a Dovecot mailbox', () => {
  let t: TestApp;
  let mail: Awaited<ReturnType<typeof startLocalMail>>;
  beforeAll(async () => {
    mail = await startLocalMail();
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
    await mail.close();
  });

  const client = () => new WebClient(t.app.getHttpServer(), `demo.localhost:${t.port}`);

  it('mails a one-time link that sets a new password and ends old sessions', async () => {
    const user = await createUser(t.app, 'demo', { displayName: 'Rita Reset' });
    const mailboxPassword = await mail.mailbox(user.email);
    const oldSession = client();
    await oldSession.submit('/login', '/login', { email: user.email, password: user.password });
    expect((await oldSession.get('/')).status).toBe(200);

    const web = client();
    const asked = await web.submit('/password/forgot', '/password/forgot', { email: user.email.toUpperCase() });
    expect(asked.status).toBe(200);
    expect(asked.text).toContain('Se l’indirizzo è registrato');

    const received = await waitForMail(user.email, mailboxPassword, /Reimposta la password di Comune di Demo/);
    expect(received.text).toContain('Buongiorno Rita Reset');
    const link = /(http:\/\/demo\.localhost:\d+\/password\/reset\?token=[\w%-]+)/.exec(received.text)?.[1];
    expect(link).toBeDefined();
    const path = new URL(link!).pathname + new URL(link!).search;

    const form = await web.get(path);
    expect(form.status).toBe(200);
    const token = decodeURIComponent(new URL(link!).searchParams.get('token')!);
    const weak = await web.post('/password/reset', { _csrf: csrfOf(form.text), token, password: 'corta', confirm: 'corta' });
    expect(weak.status).toBe(400);
    const done = await web.post('/password/reset', {
      _csrf: csrfOf(weak.text),
      token,
      password: 'il mio nuovo segreto',
      confirm: 'il mio nuovo segreto',
    });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Password impostata');

    expect((await oldSession.get('/')).status).toBe(303);
    const signIn = await client().submit('/login', '/login', { email: user.email, password: 'il mio nuovo segreto' });
    expect(signIn.headers.location).toBe('/');
    const reused = await client().get(path);
    expect(reused.status).toBe(410);
    expect(reused.text).toContain('non è valido o è scaduto');
  });

  it('gives an unknown address the same answer as a known one', async () => {
    const res = await client().submit('/password/forgot', '/password/forgot', { email: 'nessuno@demo.test' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('Se l’indirizzo è registrato');
  });

  it('refuses a made-up token', async () => {
    expect((await client().get('/password/reset?token=inventato')).status).toBe(410);
  });
});

function csrfOf(html: string): string {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
}
