import type { ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jest } from '@jest/globals';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import request from 'supertest';
import { CoreModule } from '../../src/app/core.module.js';
import { TenantContext } from '../../src/db/tenant-context.js';
import { loadConfig } from '../../src/config/load-config.js';
import { LocalMailboxes } from '../../src/local-mail/local-mailboxes.js';
import { IntakeStarts } from '../../src/pec/intake-flow/intake-starts.js';
import { PecIntakeFlowModule } from '../../src/pec/intake-flow/pec-intake-flow.module.js';
import { InboundMessage } from '../../src/pec/intake/inbound-message.entity.js';
import { DataSource } from 'typeorm';
import { startPecProvider, type PecProviderHarness } from '../support/pec-provider.js';
import { eventually } from '../support/eventually.js';
import { kill9, ROOT, SpawnedRoles } from '../support/spawned-roles.js';
import { signIn as signInPage, WebClient } from '../support/web-client.js';

jest.setTimeout(240_000);

/**
 * The intake process end to end, as the built roles run it: PEC sent through the local PEC provider
 * land in Dovecot, the worker's intake records them, each starts workflows/pec/intake.bpmn once, the
 * routing puts its task in the right office's inbox (mailbox office, rules by sender and subject,
 * fallback), people take it in charge, forward and complete it, an untouched one escalates (clock
 * accelerated 3600×: PT2H is 2 s), kill -9 of the worker starts nothing twice, a workspace without
 * the process keeps its mail and lists the failed start until a retry starts it.
 */
const tag = Date.now().toString(36);
const tenantsDir = path.join(tmpdir(), `pecflow-intakeflow-${tag}`);
const PASSWORD = `pecflow-${tag}`;
const roles = new SpawnedRoles('intakeflow', {
  TENANTS_DIR: tenantsDir,
  PEC_INTAKE_LEASE_SECONDS: '3',
  PEC_INTAKE_RECONCILE_SECONDS: '2',
  PEC_INTAKE_BACKOFF_CAP_SECONDS: '2',
  PROCESS_CLOCK_FACTOR: '3600',
  SERVICE_TASK_ATTEMPTS: '2',
  SERVICE_TASK_BACKOFF_MS: '100',
  HOST: '127.0.0.1',
});
const local = new LocalMailboxes(loadConfig(roles.env));

const box = (name: string) => `${name}-${tag}@pec.demo.test`;
const person = (name: string, tenant: string) => `${name}-${tag}@${tenant}.test`;
const MAILBOX = { a: box('iflow-protocollo'), aBare: box('iflow-senzaufficio'), b: box('iflow-b'), c: box('iflow-c') };

const TENANTS: Record<string, string> = {
  'iflow-a': `name: Flusso A
theme: civico
solutions: [pec]
pecIntake:
  takeChargeWithin: PT2H
  fallbackOffice: Archivio
  rules:
    - { name: Gare telematiche, sender: '*@pec.example.test', office: Gare }
    - { name: Fatture, subjectMatches: '\\bfattura n\\. \\d+', office: Ragioneria }
`,
  'iflow-b': `name: Flusso B
theme: civico
solutions: [pec]
`,
  // No solution: the intake process is not deployed here.
  'iflow-c': `name: Flusso C
theme: civico
`,
};

const SEED = `password: ${PASSWORD}
mustChangePassword: false
tenants:
  iflow-a:
    offices: [Protocollo, Gare, Ragioneria, Archivio]
    users:
      - { email: ${person('admin', 'a')}, name: Admin A, grants: [{ role: admin }] }
      - { email: ${person('proto', 'a')}, name: Paola Protocollo, grants: [{ role: operator, office: Protocollo }] }
      - { email: ${person('capo', 'a')}, name: Carlo Capo, grants: [{ role: manager, office: Protocollo }] }
      - { email: ${person('gare', 'a')}, name: Gino Gare, grants: [{ role: operator, office: Gare }] }
      - { email: ${person('ragio', 'a')}, name: Rita Ragioneria, grants: [{ role: operator, office: Ragioneria }] }
      - { email: ${person('archivio', 'a')}, name: Aldo Archivio, grants: [{ role: operator, office: Archivio }] }
    mailboxes:
      - { address: ${MAILBOX.a}, preset: local, profile: standard, offices: [Protocollo] }
      - { address: ${MAILBOX.aBare}, preset: local, profile: standard }
  iflow-b:
    offices: [Protocollo]
    users:
      - { email: ${person('proto', 'b')}, name: Paolo Protocollo B, grants: [{ role: operator, office: Protocollo }] }
    mailboxes:
      - { address: ${MAILBOX.b}, preset: local, profile: standard, offices: [Protocollo] }
  iflow-c:
    users:
      - { email: ${person('admin', 'c')}, name: Admin C, grants: [{ role: admin }] }
    mailboxes:
      - { address: ${MAILBOX.c}, preset: local, profile: standard }
`;

interface TaskBody {
  id: string;
  elementId: string;
  candidateGroups: string | null;
  processInstanceId: string;
  state: string;
  escalatedAt: string | null;
}

/** The intake's own stand-in for a replayed job: IntakeStarts in this process, on the test's database. */
@Module({ imports: [CoreModule, PecIntakeFlowModule] })
class IntakeFlowHere {}

describe('PEC intake process: one instance per incoming PEC, in the right office (built roles, real provider and Dovecot)', () => {
  let db: pg.Client;
  let provider: PecProviderHarness;
  let web: { child: ChildProcess; url: string };
  let worker: ChildProcess;
  const outside = { address: `esterno-${tag}@pec.acme.test`, password: '' };
  const tenderer = { address: `offerente-${tag}@pec.example.test`, password: '' };
  const tokens = new Map<string, string>();

  const startWorker = async () => (await roles.startRole('worker', /PEC intake started/)).child;
  const api = (slug: string, email: string) => {
    const call = (test: request.Test) => test.set('Host', `${slug}.localhost`).set('Authorization', `Bearer ${tokens.get(email) ?? ''}`);
    return {
      get: (url: string) => call(request(web.url).get(url)),
      post: (url: string, body: object = {}) => call(request(web.url).post(url)).send(body),
      put: (url: string, body: object) => call(request(web.url).put(url)).send(body),
      delete: (url: string) => call(request(web.url).delete(url)),
    };
  };
  const tokenFor = async (slug: string, email: string) => {
    const res = await request(web.url).post('/api/v1/auth/token').set('Host', `${slug}.localhost`).send({ email, password: PASSWORD });
    if (res.status !== 200) throw new Error(`sign-in of ${email}: ${res.status} ${res.text}`);
    tokens.set(email, (res.body as { accessToken: string }).accessToken);
  };
  const send = (from: { address: string; password: string }, to: string, subject: string) =>
    provider.send(from, { to, subject, text: `Testo riservato della PEC «${subject}».` });

  /** The intake instances whose message has this subject (the busta's subject is the sender's, prefixed). */
  const instancesOf = async (subject: string) =>
    (
      await db.query<{ id: string; status: string; business_key: string; variables: Record<string, unknown> }>(
        `SELECT i.id, i.status, i.business_key, i.variables FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id
         WHERE d.key = 'pec-intake' AND i.variables->>'subject' = $1`,
        [subject],
      )
    ).rows;
  const oneInstance = async (subject: string, timeoutMs = 60_000) => {
    const [instance] = await eventually(async () => {
      const rows = await instancesOf(subject);
      return rows.length > 0 && rows;
    }, timeoutMs);
    return instance!;
  };
  /** The open "Prendi in carico e lavora la PEC" task of an instance, once routing has created it. */
  const workTask = async (instanceId: string, seenBy: { slug: string; email: string }) =>
    eventually(async () => {
      const { tasks } = (await api(seenBy.slug, seenBy.email).get('/api/v1/tasks').expect(200)).body as { tasks: TaskBody[] };
      return tasks.find((task) => task.processInstanceId === instanceId && task.elementId === 'Work' && task.state !== 'completed');
    }, 30_000);
  const visibleTo = async (slug: string, email: string, taskId: string) =>
    ((await api(slug, email).get('/api/v1/tasks').expect(200)).body as { tasks: TaskBody[] }).tasks.some((task) => task.id === taskId);

  beforeAll(async () => {
    await mkdir(tenantsDir, { recursive: true });
    for (const [slug, text] of Object.entries(TENANTS)) await writeFile(path.join(tenantsDir, `${slug}.yaml`), text);
    await writeFile(path.join(tenantsDir, 'seed.yml.txt'), SEED);
    await roles.createDatabase();
    roles.cli('tenants', 'sync');
    roles.cli('seed', path.join(tenantsDir, 'seed.yml.txt'));
    db = new pg.Client({ connectionString: roles.databaseUrl });
    await db.connect();
    provider = await startPecProvider();
    outside.password = await provider.mailbox(outside.address);
    tenderer.password = await provider.mailbox(tenderer.address);
    web = await roles.startWeb();
    worker = await startWorker();
    for (const [slug, name] of [
      ['iflow-a', person('admin', 'a')],
      ['iflow-a', person('proto', 'a')],
      ['iflow-a', person('capo', 'a')],
      ['iflow-a', person('gare', 'a')],
      ['iflow-a', person('ragio', 'a')],
      ['iflow-a', person('archivio', 'a')],
      ['iflow-b', person('proto', 'b')],
      ['iflow-c', person('admin', 'c')],
    ] as const)
      await tokenFor(slug, name);
  }, 240_000);

  afterAll(async () => {
    await db?.end();
    await provider?.close();
    await roles.cleanup();
    for (const address of [...Object.values(MAILBOX), ...Array.from(SEED.matchAll(/email: (\S+),/g), (m) => m[1]!)])
      await local.remove(address);
    await rm(tenantsDir, { recursive: true, force: true });
  });

  it('starts one instance per incoming PEC, referencing it by id, with its task in the mailbox office only; take charge and complete', async () => {
    const subject = `Richiesta di accesso agli atti ${tag}`;
    await send(outside, MAILBOX.a, subject);
    const instance = await oneInstance(subject);
    const { rows: inbound } = await db.query<{ id: string; mailbox_id: string; kind: string }>(
      `SELECT id, mailbox_id, kind FROM pec_inbound_messages WHERE id = $1`,
      [instance.variables.messageId],
    );
    expect(inbound).toEqual([{ id: instance.business_key, mailbox_id: instance.variables.mailboxId, kind: 'posta-certificata' }]);
    expect(instance.variables).toMatchObject({ sender: outside.address, mailboxAddress: MAILBOX.a, takeChargeWithin: 'PT2H' });
    expect(Number.isNaN(Date.parse(String(instance.variables.receivedAt)))).toBe(false);
    // The body stays sealed in the intake's store: the process only references it.
    expect(JSON.stringify(instance.variables)).not.toContain('Testo riservato');

    const task = await workTask(instance.id, { slug: 'iflow-a', email: person('proto', 'a') });
    expect(task.candidateGroups).toBe('role:operator@Protocollo');
    expect(await instancesOf(subject).then((rows) => rows[0]!.variables)).toMatchObject({
      routedOffice: 'Protocollo',
      routedBy: 'mailbox',
    });
    expect(await visibleTo('iflow-a', person('gare', 'a'), task.id)).toBe(false);
    expect(await visibleTo('iflow-b', person('proto', 'b'), task.id)).toBe(false);
    // Another workspace's token does not open this one.
    await api('iflow-b', person('proto', 'a')).get('/api/v1/tasks').expect(401);

    // The task page links to the PEC and to the reply composed from it.
    const browser = new WebClient(web.url as unknown as Server, 'iflow-a.localhost');
    await signInPage(browser, person('proto', 'a'), PASSWORD);
    const page = (await browser.get(`/tasks/${task.id}`)).text.replaceAll('&#x3D;', '=');
    expect(page).toContain(`href="/pec/messages/${instance.business_key}"`);
    expect(page).toContain(`href="/pec/messages/new?replyTo=${instance.business_key}"`);

    const proto = api('iflow-a', person('proto', 'a'));
    await proto.post(`/api/v1/tasks/${task.id}/claim`).expect(200);
    await api('iflow-a', person('gare', 'a'))
      .post(`/api/v1/tasks/${task.id}/complete`, { data: { outcome: 'evasa' } })
      .expect(404);
    const done = await proto
      .post(`/api/v1/tasks/${task.id}/complete`, { data: { outcome: 'evasa', note: 'Risposto via PEC' } })
      .expect(200);
    expect((done.body as { processInstance: { status: string } }).processInstance.status).toBe('completed');
    expect(await instancesOf(subject)).toHaveLength(1);
  });

  it('routes by the tenant rules (sender, subject pattern) before the mailbox office, and to the fallback office when nothing else names one', async () => {
    const cases = [
      {
        from: tenderer,
        to: MAILBOX.a,
        subject: `Offerta gara 17 ${tag}`,
        office: 'Gare',
        by: 'rule',
        rule: 'Gare telematiche',
        who: 'gare',
      },
      {
        from: outside,
        to: MAILBOX.a,
        subject: `Invio fattura n. 42 ${tag}`,
        office: 'Ragioneria',
        by: 'rule',
        rule: 'Fatture',
        who: 'ragio',
      },
      {
        from: outside,
        to: MAILBOX.aBare,
        subject: `Comunicazione generica ${tag}`,
        office: 'Archivio',
        by: 'fallback',
        rule: null,
        who: 'archivio',
      },
    ];
    for (const c of cases) await send(c.from, c.to, c.subject);
    for (const c of cases) {
      const instance = await oneInstance(c.subject);
      const task = await workTask(instance.id, { slug: 'iflow-a', email: person(c.who, 'a') });
      expect(task.candidateGroups).toBe(`role:operator@${c.office}`);
      expect((await instancesOf(c.subject))[0]!.variables).toMatchObject({ routedOffice: c.office, routedBy: c.by, routingRule: c.rule });
      expect(await visibleTo('iflow-a', person('proto', 'a'), task.id)).toBe(false);
    }
    // The rule test answers what the intake did, without starting anything; only people who see the settings may ask.
    const admin = api('iflow-a', person('admin', 'a'));
    const settings = (await admin.get('/api/v1/pec-routing-rules').expect(200)).body as {
      rules: { name: string }[];
      fallbackOffice: string;
    };
    expect(settings).toMatchObject({ fallbackOffice: 'Archivio', takeChargeWithin: 'PT2H', source: 'tenant-file' });
    expect(settings.rules.map((rule) => rule.name)).toEqual(['Gare telematiche', 'Fatture']);
    const verdict = await admin.post('/api/v1/pec-routing-rules/test', { sender: tenderer.address, subject: 'x' }).expect(200);
    expect(verdict.body).toEqual({ office: 'Gare', routedBy: 'rule', rule: { name: 'Gare telematiche', position: 1 }, problem: null });
    await api('iflow-a', person('proto', 'a')).post('/api/v1/pec-routing-rules/test', { subject: 'x' }).expect(403);
  });

  it('routes by a rule the workspace’s admin added through the API before the file’s rules; edits, moves and removals are the admin’s alone', async () => {
    const admin = api('iflow-a', person('admin', 'a'));
    const rule = { name: 'Esposti', sender: '*@pec.example.test', subjectContains: `esposto ${tag}`, office: 'Archivio' };
    const created = (await admin.post('/api/v1/pec-routing-rules', { rule }).expect(201)).body as { id: string };
    await api('iflow-a', person('proto', 'a')).post('/api/v1/pec-routing-rules', { rule }).expect(403);
    await admin.post('/api/v1/pec-routing-rules', { rule: { name: 'Senza condizioni', office: 'Gare' } }).expect(400);

    // The tenderer's mail matches the file's "Gare telematiche" too: the workspace's rule comes first.
    const subject = `Esposto ${tag} sulla gara 18`;
    await send(tenderer, MAILBOX.a, subject);
    const instance = await oneInstance(subject);
    // Once its task is in Archivio's inbox, the routing step has written its variables.
    await workTask(instance.id, { slug: 'iflow-a', email: person('archivio', 'a') });
    expect((await instancesOf(subject))[0]!.variables).toMatchObject({
      routedOffice: 'Archivio',
      routedBy: 'rule',
      routingRule: 'Esposti',
    });

    const second = (await admin.post('/api/v1/pec-routing-rules', { rule: { ...rule, name: 'Esposti gare', office: 'Gare' } }).expect(201))
      .body as { id: string };
    const probe = { sender: tenderer.address, subject };
    expect((await admin.post('/api/v1/pec-routing-rules/test', probe).expect(200)).body).toMatchObject({
      rule: { name: 'Esposti', position: 1 },
    });
    const moved = (await admin.post(`/api/v1/pec-routing-rules/${second.id}/move`, { position: 1 }).expect(200)).body as {
      workspaceRules: { id: string }[];
    };
    expect(moved.workspaceRules.map((r) => r.id)).toEqual([second.id, created.id]);
    expect((await admin.post('/api/v1/pec-routing-rules/test', probe).expect(200)).body).toEqual({
      office: 'Gare',
      routedBy: 'rule',
      rule: { name: 'Esposti gare', position: 1 },
      problem: null,
    });
    await admin
      .put(`/api/v1/pec-routing-rules/${second.id}`, { rule: { ...rule, name: 'Esposti ragioneria', office: 'Ragioneria' } })
      .expect(200);
    await admin.delete(`/api/v1/pec-routing-rules/${created.id}`).expect(204);
    await admin.delete(`/api/v1/pec-routing-rules/${created.id}`).expect(404);
    const settings = (await admin.get('/api/v1/pec-routing-rules').expect(200)).body as {
      workspaceRules: { name: string; office: string }[];
      rules: { name: string }[];
    };
    expect(settings.workspaceRules).toMatchObject([{ name: 'Esposti ragioneria', office: 'Ragioneria' }]);
    expect(settings.rules.map((r) => r.name)).toEqual(['Gare telematiche', 'Fatture']);
    // The other workspace neither sees nor touches this one's rules.
    await api('iflow-c', person('admin', 'c')).delete(`/api/v1/pec-routing-rules/${second.id}`).expect(404);
    expect((await api('iflow-c', person('admin', 'c')).get('/api/v1/pec-routing-rules').expect(200)).body).toMatchObject({
      workspaceRules: [],
    });
    await admin.delete(`/api/v1/pec-routing-rules/${second.id}`).expect(204);
  });

  it('forwards to another office ("inoltra" routes again), and sends a forward to an unknown office back to the same desk', async () => {
    const subject = `Istanza da smistare ${tag}`;
    await send(outside, MAILBOX.a, subject);
    const instance = await oneInstance(subject);
    const proto = api('iflow-a', person('proto', 'a'));
    const first = await workTask(instance.id, { slug: 'iflow-a', email: person('proto', 'a') });
    await proto.post(`/api/v1/tasks/${first.id}/claim`).expect(200);
    await proto.post(`/api/v1/tasks/${first.id}/complete`, { data: { outcome: 'inoltra', forwardTo: 'Ufficio inesistente' } }).expect(200);
    const again = await eventually(async () => {
      const task = await workTask(instance.id, { slug: 'iflow-a', email: person('proto', 'a') });
      return task.id !== first.id && task;
    });
    expect(again.candidateGroups).toBe('role:operator@Protocollo');
    await proto.post(`/api/v1/tasks/${again.id}/claim`).expect(200);
    await proto.post(`/api/v1/tasks/${again.id}/complete`, { data: { outcome: 'inoltra', forwardTo: 'Ragioneria' } }).expect(200);
    const forwarded = await workTask(instance.id, { slug: 'iflow-a', email: person('ragio', 'a') });
    expect(forwarded.candidateGroups).toBe('role:operator@Ragioneria');
    expect((await instancesOf(subject))[0]!.variables).toMatchObject({ routedOffice: 'Ragioneria', routedBy: 'forward' });
    expect(await visibleTo('iflow-a', person('proto', 'a'), forwarded.id)).toBe(false);
  });

  it('escalates a PEC nobody took in charge within the tenant limit: its operators and their office manager are notified', async () => {
    const subject = `Diffida urgente ${tag}`;
    await send(outside, MAILBOX.a, subject);
    const instance = await oneInstance(subject);
    const task = await workTask(instance.id, { slug: 'iflow-a', email: person('proto', 'a') });
    const escalated = await eventually(async () => {
      const { tasks } = (await api('iflow-a', person('capo', 'a')).get('/api/v1/tasks?escalated=true').expect(200)).body as {
        tasks: TaskBody[];
      };
      return tasks.find((row) => row.id === task.id);
    }, 30_000);
    expect(escalated.state).toBe('open');
    const { rows } = await db.query<{ notified: string[] }>(`SELECT notified FROM task_escalations WHERE task_id = $1`, [task.id]);
    const { rows: people } = await db.query<{ id: string }>(`SELECT id FROM users WHERE email = ANY($1) ORDER BY id`, [
      [person('proto', 'a'), person('capo', 'a')],
    ]);
    expect(rows).toHaveLength(1);
    expect([...rows[0]!.notified].sort()).toEqual(people.map((row) => row.id).sort());
  });

  it('starts nothing twice across kill -9 of the worker, nor when the start is replayed', async () => {
    const subjects = Array.from({ length: 4 }, (_, n) => `Raffica ${n + 1} ${tag}`);
    for (const subject of subjects) await send(outside, MAILBOX.a, subject);
    await oneInstance(subjects[0]!);
    await kill9(worker);
    worker = await startWorker();
    // A job in hand when the worker died runs again once BullMQ finds it stalled (lock 30 s, check 30 s).
    for (const subject of subjects) await oneInstance(subject, 150_000);
    // Settled: every message recorded once and processed, each with exactly one instance.
    await eventually(async () => {
      const { rows } = await db.query<{ state: string }>(
        `SELECT state FROM pec_inbound_messages WHERE mailbox_id = (SELECT id FROM mailboxes WHERE address = $1) AND summary->>'originalSubject' LIKE 'Raffica %'`,
        [MAILBOX.a],
      );
      return rows.length === subjects.length && rows.every((row) => row.state === 'processed');
      // As long as the starts above: a job held by the killed worker is handed on once BullMQ finds it stalled.
    }, 150_000);
    for (const subject of subjects) expect(await instancesOf(subject)).toHaveLength(1);

    // A replay (the job run again after a crash between the start and the row marked processed), even
    // with the record of the start lost: the start key finds the instance the first start made.
    const saved = { DATABASE_URL: process.env.DATABASE_URL, REDIS_PREFIX: process.env.REDIS_PREFIX };
    Object.assign(process.env, { DATABASE_URL: roles.databaseUrl, REDIS_PREFIX: roles.env.REDIS_PREFIX });
    const here: INestApplicationContext = await NestFactory.createApplicationContext(IntakeFlowHere, { logger: false });
    Object.assign(process.env, saved);
    try {
      const [first] = await instancesOf(subjects[0]!);
      const { rows } = await db.query<{ tenant_id: string }>(`SELECT tenant_id FROM pec_inbound_messages WHERE id = $1`, [
        first!.business_key,
      ]);
      await db.query(`DELETE FROM pec_intake_starts WHERE inbound_message_id = $1`, [first!.business_key]);
      await TenantContext.run({ tenantId: rows[0]!.tenant_id, slug: 'iflow-a' }, async () => {
        const message = await here.get(DataSource).getRepository(InboundMessage).findOneByOrFail({ id: first!.business_key });
        expect(await here.get(IntakeStarts).start(message)).toBe(true);
        expect(await here.get(IntakeStarts).start(message)).toBe(true);
      });
      expect((await instancesOf(subjects[0]!)).map((row) => row.id)).toEqual([first!.id]);
    } finally {
      await here.close();
    }
  });

  it('keeps the mail of a workspace without the process, lists the failed start to its admins only, and starts it on retry', async () => {
    const subject = `PEC senza processo ${tag}`;
    await send(outside, MAILBOX.c, subject);
    const admin = api('iflow-c', person('admin', 'c'));
    const failure = await eventually(async () => {
      const { failures } = (await admin.get('/api/v1/pec-intake-failures').expect(200)).body as {
        failures: { id: string; messageId: string; subject: string; error: string }[];
      };
      return failures.find((row) => row.subject === subject);
    }, 60_000);
    expect(failure.error).toMatch(/no deployed process "pec-intake"/);
    // Handed on all the same: the message is processed (the other handlers ran), only the start waits.
    await eventually(async () => {
      const { rows } = await db.query<{ state: string }>(`SELECT state FROM pec_inbound_messages WHERE id = $1`, [failure.messageId]);
      return rows[0]?.state === 'processed';
    });
    const other = (await api('iflow-a', person('admin', 'a')).get('/api/v1/pec-intake-failures').expect(200)).body as {
      failures: { id: string }[];
    };
    expect(other.failures.map((row) => row.id)).not.toContain(failure.id);
    await api('iflow-a', person('admin', 'a')).post(`/api/v1/pec-intake-failures/${failure.id}/retry`).expect(404);

    // The admin deploys the process; the retry starts it. Here the mailbox has no office and the
    // workspace names no fallback: the routing step becomes an incident the admin sees.
    const bpmn = await readFile(path.join(ROOT, 'workflows/pec/intake.bpmn'));
    await request(web.url)
      .post('/api/v1/process-definitions')
      .set('Host', 'iflow-c.localhost')
      .set('Authorization', `Bearer ${tokens.get(person('admin', 'c'))}`)
      .attach('file', bpmn, 'intake.bpmn')
      .expect(201);
    const retried = await admin.post(`/api/v1/pec-intake-failures/${failure.id}/retry`).expect(200);
    expect(retried.body).toMatchObject({ started: true, error: null });
    await admin.post(`/api/v1/pec-intake-failures/${failure.id}/retry`).expect(409);
    const incident = await eventually(async () => {
      const { incidents } = (await admin.get('/api/v1/process-incidents').expect(200)).body as {
        incidents: { processInstanceId: string; topic: string; error: string }[];
      };
      return incidents.find((row) => row.processInstanceId === (retried.body as { processInstanceId: string }).processInstanceId);
    }, 30_000);
    expect(incident).toMatchObject({ topic: 'pec-route' });
    expect(incident.error).toMatch(/no fallback office/);
  });
});
