import { createServer, type AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { SMTPServer } from 'smtp-server';
import { DataSource } from 'typeorm';
import { OrganisationService } from '../../src/access/organisation.service.js';
import { loadConfig } from '../../src/config/load-config.js';
import { TenantContext } from '../../src/db/tenant-context.js';
import { LocalMailboxes } from '../../src/local-mail/local-mailboxes.js';
import { MailboxAdministration } from '../../src/mailboxes/mailbox-administration.js';
import { MailboxSeed, seedMailboxSchema } from '../../src/mailboxes/mailbox-seed.js';
import { Tenant } from '../../src/tenancy/tenant.entity.js';
import { SecretBox } from '../../src/secrets/secret-box.js';
import { ApiClient } from '../support/api-client.js';
import { startLocalMail } from '../support/local-mail.js';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';

interface MailboxBody {
  id: string;
  address: string;
  profile: string;
  state: string;
  stateReason: string | null;
  stateDescription: string | null;
  checkedAt: string | null;
  smtp: { host: string; port: number; security: string };
  limits: { perMinute: number; perDay: number; maxMessageMb: number; maxRecipients: number };
  offices: { id: string; path: string }[];
}
interface ProbeBody {
  smtp: { ok: boolean; reason?: string; error?: string };
  imap: { ok: boolean; reason?: string; error?: string };
  state: string;
}
interface ProblemBody {
  status: number;
  errors?: { field: string; message: string }[];
}

const config = loadConfig();

/** A loopback port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('PEC mailboxes', () => {
  const tag = randomBytes(4).toString('hex');
  const officeA = `Caselle A ${tag}`;
  const officeB = `Caselle B ${tag}`;
  let t: TestApp;
  let mail: Awaited<ReturnType<typeof startLocalMail>>;
  let relayPort: number;
  let admin: ApiClient;
  let operatorA: ApiClient;
  let operatorB: ApiClient;
  let acmeAdmin: ApiClient;
  let officeAId: string;
  // An SMTP peer that refuses every login, as a provider does with a wrong password.
  const refusing = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth: (_auth, _session, callback) => callback(new Error('Invalid username or password')),
  });
  let refusingPort: number;

  beforeAll(async () => {
    mail = await startLocalMail();
    relayPort = Number(new URL(process.env.SMTP_URL!).port);
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    refusingPort = (refusing.server.address() as AddressInfo).port;
    t = await startTestApp();
    const server = t.app.getHttpServer();
    const a = await createUser(t.app, 'demo', { roles: ['admin'] });
    const oa = await createUser(t.app, 'demo', { grants: [{ role: 'operator', office: officeA }] });
    const ob = await createUser(t.app, 'demo', { grants: [{ role: 'operator', office: officeB }] });
    const acme = await createUser(t.app, 'acme', { roles: ['admin'] });
    admin = await ApiClient.signIn(server, 'demo.localhost', a.email, a.password);
    operatorA = await ApiClient.signIn(server, 'demo.localhost', oa.email, oa.password);
    operatorB = await ApiClient.signIn(server, 'demo.localhost', ob.email, ob.password);
    acmeAdmin = await ApiClient.signIn(server, 'acme.localhost', acme.email, acme.password);
    const offices = (await admin.get('/api/v1/admin/offices')).body as { offices: { id: string; path: string }[] };
    officeAId = offices.offices.find((o) => o.path === officeA)!.id;
  });
  afterAll(async () => {
    await t.close();
    await mail.close();
    await new Promise<void>((resolve) => refusing.close(() => resolve()));
  });

  it('answers 422 with field errors in the user’s language', async () => {
    const res = await admin.post('/api/v1/mailboxes', { address: 'non-un-indirizzo', preset: 'gmail' }).expect(422);
    const errors = (res.body as ProblemBody).errors!;
    expect(errors).toEqual(
      expect.arrayContaining([
        { field: 'address', message: 'Non è un indirizzo e-mail valido.' },
        { field: 'preset', message: 'Scegli uno tra: aruba, legalmail, namirial, local, custom.' },
        { field: 'password', message: 'Campo obbligatorio.' },
      ]),
    );
    const english = await admin
      .post('/api/v1/mailboxes', { address: `x-${tag}@pec.demo.test`, preset: 'custom', password: 'p' })
      .set('Accept-Language', 'en')
      .expect(422);
    expect((english.body as ProblemBody).errors).toEqual(
      expect.arrayContaining([
        { field: 'smtp.host', message: 'Required.' },
        { field: 'imap.port', message: 'Required.' },
      ]),
    );
    // A provider preset's servers are fixed: overriding them is refused, not silently ignored.
    const fixed = await admin
      .post('/api/v1/mailboxes', { address: `y-${tag}@pec.demo.test`, preset: 'aruba', password: 'p', smtp: { host: 'altro.example' } })
      .expect(422);
    expect((fixed.body as ProblemBody).errors?.map((e) => e.field)).toEqual(['smtp']);
  });

  it('creates a mailbox from its preset and profile, refuses the same address twice, and never gives the credentials back', async () => {
    const password = `segreto-${tag}`;
    const created = await admin
      .post('/api/v1/mailboxes', {
        address: `Ufficio-${tag}@PEC.demo.test`,
        preset: 'aruba',
        profile: 'massiva-xl',
        username: `login-${tag}`,
        password,
        limits: { perDay: 1_200_000 },
        officeIds: [officeAId],
      })
      .expect(201);
    const mailbox = created.body as MailboxBody;
    expect(mailbox).toMatchObject({
      address: `ufficio-${tag}@pec.demo.test`,
      profile: 'massiva-xl',
      state: 'new',
      smtp: { host: 'smtps.pec.aruba.it', port: 465, security: 'tls' },
      limits: { perMinute: 5_000, perDay: 1_200_000, maxMessageMb: 1, maxRecipients: 500 },
      offices: [{ id: officeAId, path: officeA }],
    });
    await admin.post('/api/v1/mailboxes', { address: `UFFICIO-${tag}@pec.demo.test`, preset: 'aruba', password: 'x' }).expect(409);

    const responses = [
      created.text,
      (await admin.get('/api/v1/mailboxes')).text,
      (await admin.get(`/api/v1/mailboxes/${mailbox.id}`)).text,
      (await admin.patch(`/api/v1/mailboxes/${mailbox.id}`, { password: `${password}-2` })).text,
    ];
    for (const text of responses) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(`login-${tag}`);
    }
    // At rest: sealed (no plaintext in the row), and it opens to the new password only with this mailbox's id.
    const [row] = await t.app.get(DataSource).query<Record<string, unknown>[]>('SELECT * FROM mailboxes WHERE id = $1', [mailbox.id]);
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(password);
    expect(stored).not.toContain(`login-${tag}`);
    const opened = JSON.parse(t.app.get(SecretBox).open(row!.credentials as string, `mailbox:${mailbox.id}`)) as object;
    expect(opened).toEqual({ username: `login-${tag}`, password: `${password}-2` });
  });

  it('shows a mailbox to the operators of its offices only, never to another workspace', async () => {
    const mailbox = (
      await admin
        .post('/api/v1/mailboxes', { address: `visibile-${tag}@pec.demo.test`, preset: 'legalmail', password: 'p', officeIds: [officeAId] })
        .expect(201)
    ).body as MailboxBody;
    const listA = (await operatorA.get('/api/v1/mailboxes').expect(200)).body as { mailboxes: MailboxBody[] };
    expect(listA.mailboxes.map((m) => m.address)).toContain(mailbox.address);
    expect(Object.keys(listA.mailboxes[0]!)).toEqual(expect.arrayContaining(['id', 'address', 'profile', 'state']));
    await operatorA.get(`/api/v1/mailboxes/${mailbox.id}`).expect(200);
    await operatorA.post('/api/v1/mailboxes', { address: `op-${tag}@pec.demo.test`, preset: 'aruba', password: 'p' }).expect(403);
    await operatorA.post(`/api/v1/mailboxes/${mailbox.id}/probe`).expect(403);

    const listB = (await operatorB.get('/api/v1/mailboxes').expect(200)).body as { mailboxes: MailboxBody[] };
    expect(listB.mailboxes.map((m) => m.id)).not.toContain(mailbox.id);
    await operatorB.get(`/api/v1/mailboxes/${mailbox.id}`).expect(404);

    await acmeAdmin.get(`/api/v1/mailboxes/${mailbox.id}`).expect(404);
    await acmeAdmin.patch(`/api/v1/mailboxes/${mailbox.id}`, { profile: 'standard' }).expect(404);
    await acmeAdmin.delete(`/api/v1/mailboxes/${mailbox.id}`).expect(404);
    const acmeList = (await acmeAdmin.get('/api/v1/mailboxes').expect(200)).body as { mailboxes: MailboxBody[] };
    expect(acmeList.mailboxes.map((m) => m.id)).not.toContain(mailbox.id);

    await admin.delete(`/api/v1/mailboxes/${mailbox.id}`).expect(204);
    await operatorA.get(`/api/v1/mailboxes/${mailbox.id}`).expect(404);
  });

  it('shows a manager the mailboxes of the offices below theirs', async () => {
    const parent = `Direzione ${tag}`;
    const child = `${parent}/Protocollo`;
    const manager = await createUser(t.app, 'demo', { grants: [{ role: 'manager', office: parent }] });
    await createUser(t.app, 'demo', { grants: [{ role: 'operator', office: child }] });
    const offices = ((await admin.get('/api/v1/admin/offices')).body as { offices: { id: string; path: string }[] }).offices;
    const childId = offices.find((o) => o.path === child)!.id;
    const mailbox = (
      await admin
        .post('/api/v1/mailboxes', { address: `sotto-${tag}@pec.demo.test`, preset: 'namirial', password: 'p', officeIds: [childId] })
        .expect(201)
    ).body as MailboxBody;
    const client = await ApiClient.signIn(t.app.getHttpServer(), 'demo.localhost', manager.email, manager.password);
    await client.get(`/api/v1/mailboxes/${mailbox.id}`).expect(200);
    await operatorA.get(`/api/v1/mailboxes/${mailbox.id}`).expect(404);
  });

  it('probes SMTP and IMAP with real logins and records the state with a clear reason', async () => {
    const address = `probe-${tag}@pec.demo.test`;
    const password = await mail.mailbox(address);
    const mailbox = (
      await admin
        .post('/api/v1/mailboxes', {
          address,
          preset: 'local',
          password,
          smtp: { port: relayPort },
          imap: { port: config.DOVECOT_IMAP_PORT },
        })
        .expect(201)
    ).body as MailboxBody;
    const probe = (id: string) => admin.post(`/api/v1/mailboxes/${id}/probe`).expect(200);

    // Both logins work: Dovecot accepts the password, our relay greets and answers EHLO.
    expect((await probe(mailbox.id)).body).toEqual({ smtp: { ok: true }, imap: { ok: true }, state: 'connected' });
    const connected = (await admin.get(`/api/v1/mailboxes/${mailbox.id}`)).body as MailboxBody;
    expect(connected).toMatchObject({ state: 'connected', stateReason: null });
    expect(connected.checkedAt).not.toBeNull();

    // A wrong password: Dovecot refuses the IMAP login.
    await admin.patch(`/api/v1/mailboxes/${mailbox.id}`, { password: 'non è questa' }).expect(200);
    expect((await probe(mailbox.id)).body).toEqual({
      smtp: { ok: true },
      imap: { ok: false, reason: 'auth-failed', error: 'accesso rifiutato: nome utente o password non corretti' },
      state: 'failing',
    });
    expect((await admin.get(`/api/v1/mailboxes/${mailbox.id}`)).body).toMatchObject({
      state: 'failing',
      stateReason: 'imap:auth-failed',
      stateDescription: 'IMAP: accesso rifiutato: nome utente o password non corretti',
    });

    // An SMTP server that refuses the login, and a port where nothing listens.
    await admin.patch(`/api/v1/mailboxes/${mailbox.id}`, { password, smtp: { port: refusingPort } }).expect(200);
    expect(((await probe(mailbox.id)).body as ProbeBody).smtp).toEqual({
      ok: false,
      reason: 'auth-failed',
      error: 'accesso rifiutato: nome utente o password non corretti',
    });
    await admin.patch(`/api/v1/mailboxes/${mailbox.id}`, { smtp: { port: await closedPort() } }).expect(200);
    const unreachable = (await admin.post(`/api/v1/mailboxes/${mailbox.id}/probe`).set('Accept-Language', 'en').expect(200))
      .body as ProbeBody;
    expect(unreachable).toEqual({
      smtp: { ok: false, reason: 'connection-refused', error: 'connection refused: nothing answers on this port' },
      imap: { ok: true },
      state: 'failing',
    });
    expect((await admin.get(`/api/v1/mailboxes/${mailbox.id}`)).body).toMatchObject({
      state: 'failing',
      stateReason: 'smtp:connection-refused',
    });

    // Back to working settings: connected again.
    await admin.patch(`/api/v1/mailboxes/${mailbox.id}`, { smtp: { port: relayPort } }).expect(200);
    expect(((await probe(mailbox.id)).body as ProbeBody).state).toBe('connected');
  });

  it('seeds a local mailbox once, with its Dovecot user, assigned to offices by path', async () => {
    const address = `seme-${tag}@pec.demo.test`;
    const local = new LocalMailboxes(config);
    const seeder = new MailboxSeed(t.app.get(MailboxAdministration), t.app.get(OrganisationService), local);
    const entry = seedMailboxSchema.parse({ address, preset: 'local', smtp: { port: relayPort }, offices: [officeA] });
    const tenant = await t.app.get(DataSource).getRepository(Tenant).findOneByOrFail({ slug: 'demo' });
    const seed = () => TenantContext.run({ tenantId: tenant.id, slug: 'demo' }, () => seeder.ensure(entry, `seme ${tag}`));
    try {
      expect(await seed()).toBe(true);
      expect(await seed()).toBe(false);
      const listed = ((await operatorA.get('/api/v1/mailboxes')).body as { mailboxes: MailboxBody[] }).mailboxes;
      const mailbox = listed.find((m) => m.address === address)!;
      expect(mailbox.offices.map((o) => o.path)).toEqual([officeA]);
      expect((await admin.post(`/api/v1/mailboxes/${mailbox.id}/probe`).expect(200)).body).toMatchObject({ state: 'connected' });
    } finally {
      await local.remove(address);
    }
  });
});
