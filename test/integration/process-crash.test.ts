import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { minimalBpmn, escalationBpmn } from '../support/bpmn.js';

/**
 * Real crashes (kill -9) of the built roles, each on a database and a Redis prefix of its own:
 * a worker killed while a boundary timer is pending, and a web process killed in the middle of a
 * burst of starts. Hydrate-per-step means a crash loses at most the step in hand.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const MAIN = path.join(ROOT, 'dist/main.js');
const CLI = path.join(ROOT, 'dist/cli/main.js');
const HOST = 'demo.localhost';
const PASSWORD = 'pecflow-demo';

const dbUrl = new URL(process.env.DATABASE_URL!);
dbUrl.pathname = `${dbUrl.pathname}_crash`;
const database = dbUrl.pathname.slice(1);
const env: NodeJS.ProcessEnv = {
  ...process.env,
  DATABASE_URL: dbUrl.toString(),
  REDIS_PREFIX: `${process.env.REDIS_PREFIX ?? 'pecflow-test'}-crash`,
  PROCESS_CLOCK_FACTOR: '3600',
  LOG_LEVEL: 'info',
  HOST: '127.0.0.1',
};

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function cli(...args: string[]): void {
  const run = spawnSync(process.execPath, [CLI, ...args], { env, cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`pecflow ${args.join(' ')} failed (${run.status}):\n${run.stdout}${run.stderr}`);
}

const children = new Set<ChildProcess>();

/** Starts `node dist/main.js <role>` and resolves once its output contains `ready` (a regexp; group 1, if any, is returned). */
function startRole(role: 'web' | 'worker', ready: RegExp): Promise<{ child: ChildProcess; match: string }> {
  const child = spawn(process.execPath, [MAIN, role], { env: { ...env, PORT: '0' }, cwd: ROOT, stdio: 'pipe' });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${role} not ready within 20 s:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match: match[1] ?? match[0] });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${role} exited with ${code ?? signal}:\n${output}`));
    });
  });
}

async function startWeb(): Promise<{ child: ChildProcess; url: string }> {
  const { child, match } = await startRole('web', /listening on (http:\/\/[^"\s]+)/);
  return { child, url: match.replace('[::1]', '127.0.0.1') };
}

const startWorker = async () => (await startRole('worker', /worker listening on queue process-timers/)).child;

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

async function eventually<T>(check: () => Promise<T | null | undefined | false>, ms: number): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('process instances survive kill -9 of the worker and of the web process (built dist/)', () => {
  let db: pg.Client;
  let web: { child: ChildProcess; url: string };
  let admin: string;
  const tag = Date.now().toString(36);

  const signIn = async (email: string) => {
    const res = await request(web.url).post('/api/v1/auth/token').set('Host', HOST).send({ email, password: PASSWORD });
    if (res.status !== 200) throw new Error(`sign-in of ${email}: ${res.status} ${res.text}`);
    return (res.body as { accessToken: string }).accessToken;
  };
  const post = (pathname: string, body: object) =>
    request(web.url).post(pathname).set('Host', HOST).set('Authorization', `Bearer ${admin}`).send(body);
  const deploy = async (key: string, bpmn = escalationBpmn(key, { candidates: 'role:operator', escalateTo: 'role:manager' })) => {
    const res = await request(web.url)
      .post('/api/v1/process-definitions')
      .set('Host', HOST)
      .set('Authorization', `Bearer ${admin}`)
      .attach('file', Buffer.from(bpmn), `${key}.bpmn`);
    expect(res.status).toBe(201);
  };
  const tasksOf = async (instanceId: string) =>
    (
      await db.query<{ element_id: string; state: string }>(
        `SELECT element_id, state FROM tasks WHERE instance_id = $1 ORDER BY created_at, element_id`,
        [instanceId],
      )
    ).rows;

  beforeAll(async () => {
    if (!existsSync(MAIN) || !existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` (npm test does) before these tests');
    await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await adminQuery(`CREATE DATABASE ${database}`);
    cli('db', 'migrate');
    cli('tenants', 'sync');
    cli('seed', path.join(ROOT, 'scripts/demo-seed.yaml'));
    db = new pg.Client({ connectionString: dbUrl.toString() });
    await db.connect();
    web = await startWeb();
    admin = await signIn('admin@demo.test');
  }, 60_000);

  afterAll(async () => {
    await Promise.all([...children].map(kill9));
    await db?.end();
    await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }, 30_000);

  it('fires a boundary timer exactly once after the worker is killed before it is due and a new worker starts', async () => {
    const key = `crash-timer-${tag}`;
    await deploy(key);
    const worker = await startWorker();
    const started = await post('/api/v1/process-instances', { definitionKey: key, businessKey: key, variables: {} });
    await kill9(worker);
    expect(started.status).toBe(201);
    const instanceId = (started.body as { id: string }).id;
    expect(await tasksOf(instanceId)).toEqual([{ element_id: 'Esamina', state: 'open' }]);
    // Still scheduled: the job's 1 s had not run when the worker died.
    const timers = () => db.query<{ state: string }>(`SELECT state FROM process_timers WHERE instance_id = $1`, [instanceId]);
    expect((await timers()).rows).toEqual([{ state: 'scheduled' }]);

    await startWorker();
    await eventually(async () => (await tasksOf(instanceId)).some((task) => task.element_id === 'Sollecito'), 15_000);
    // A little longer, so that a second run of the job (at least once) would have shown.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await tasksOf(instanceId)).toEqual([
      { element_id: 'Esamina', state: 'cancelled' },
      { element_id: 'Sollecito', state: 'open' },
    ]);
    expect((await timers()).rows).toEqual([{ state: 'fired' }]);
    const view = await request(web.url)
      .get(`/api/v1/process-instances/${instanceId}`)
      .set('Host', HOST)
      .set('Authorization', `Bearer ${admin}`);
    expect(view.body).toMatchObject({ status: 'waiting', activeElements: ['Sollecito'] });
  }, 60_000);

  it('keeps every acknowledged start whole when the web process is killed in the middle of a burst', async () => {
    const key = `crash-burst-${tag}`;
    // Start → Esamina → end: no timer, so each start stays waiting on its one task.
    await deploy(key, minimalBpmn(key, { taskName: 'Esamina', candidateGroups: 'role:operator' }));
    const acknowledged: string[] = [];
    let killed: Promise<void> | undefined;
    // 20 starts, all in flight at once: more than the web process's 10 pooled connections, so a
    // step that asked the pool for a second connection while holding one would deadlock here.
    let next = 0;
    const one = async (i: number) => {
      try {
        const res = await post('/api/v1/process-instances', { definitionKey: key, businessKey: `${key}-${i}`, variables: { i } });
        if (res.status === 201) acknowledged.push((res.body as { id: string }).id);
        // Kill once a few starts are through and the rest are in flight.
        if (acknowledged.length === 3) killed ??= kill9(web.child);
      } catch {
        // The connection died with the process: this start was never acknowledged.
      }
    };
    const burst = Array.from({ length: 20 }, async () => {
      while (next < 20) await one(next++);
    });
    await Promise.all(burst);
    await killed;
    expect(acknowledged.length).toBeGreaterThanOrEqual(3);
    expect(acknowledged.length).toBeLessThan(20);

    web = await startWeb();
    admin = await signIn('admin@demo.test');
    for (const id of acknowledged) {
      const view = await request(web.url).get(`/api/v1/process-instances/${id}`).set('Host', HOST).set('Authorization', `Bearer ${admin}`);
      expect(view.status).toBe(200);
      expect(view.body).toMatchObject({ status: 'waiting', activeElements: ['Esamina'] });
      expect(await tasksOf(id)).toEqual([{ element_id: 'Esamina', state: 'open' }]);
    }
    // No half-saved instance at all, acknowledged or not: each saved instance has its one open task.
    const saved = await db.query<{ id: string; status: string; open: number; total: number }>(
      `SELECT i.id, i.status,
              count(t.id) FILTER (WHERE t.state = 'open')::int AS open, count(t.id)::int AS total
       FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id
       LEFT JOIN tasks t ON t.instance_id = i.id
       WHERE d.key = $1 GROUP BY i.id, i.status`,
      [key],
    );
    expect(saved.rows.length).toBeGreaterThanOrEqual(acknowledged.length);
    expect(saved.rows.filter((row) => row.status !== 'waiting' || row.open !== 1 || row.total !== 1)).toEqual([]);
  }, 60_000);
});
