import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { bpmnHead, minimalBpmn, escalationBpmn } from '../support/bpmn.js';
import { eventually } from '../support/eventually.js';
import { kill9, ROOT, SpawnedRoles } from '../support/spawned-roles.js';

/** Avvia (call-process of `child`, business key ${n}) → Registra (set-variables) → Esamina: two service tasks, one user task. */
function callingBpmn(key: string, child: string): string {
  return `${bpmnHead(key)}
  <bpmn:process id="${key}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
    <bpmn:serviceTask id="Avvia" camunda:type="external" camunda:topic="call-process">
      <bpmn:extensionElements><camunda:inputOutput>
        <camunda:inputParameter name="processKey">${child}</camunda:inputParameter>
        <camunda:inputParameter name="businessKey">\${n}</camunda:inputParameter>
      </camunda:inputOutput></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:serviceTask id="Registra" camunda:type="external" camunda:topic="set-variables">
      <bpmn:extensionElements><camunda:inputOutput>
        <camunda:inputParameter name="registrato">\${n}</camunda:inputParameter>
      </camunda:inputOutput></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:userTask id="Esamina" camunda:candidateGroups="operator" />
    <bpmn:endEvent id="EndEvent_1" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Avvia" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Avvia" targetRef="Registra" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Registra" targetRef="Esamina" />
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Esamina" targetRef="EndEvent_1" />
  </bpmn:process>
</bpmn:definitions>
`;
}

/**
 * Real crashes (kill -9) of the built roles, each on a database and a Redis prefix of its own:
 * a worker killed while a boundary timer is pending, and a web process killed in the middle of a
 * burst of starts. Hydrate-per-step means a crash loses at most the step in hand.
 */
const HOST = 'demo.localhost';
const PASSWORD = 'pecflow-demo';

const roles = new SpawnedRoles('crash', { PROCESS_CLOCK_FACTOR: '3600', HOST: '127.0.0.1' });
const startWeb = () => roles.startWeb();

const workers = new Set<ChildProcess>();
const startWorker = async () => {
  const { child } = await roles.startRole('worker', /worker listening on queue process-timers/, { timeoutMs: 20_000 });
  workers.add(child);
  child.once('exit', () => workers.delete(child));
  return child;
};

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
    await roles.createDatabase();
    roles.cli('tenants', 'sync');
    roles.cli('seed', path.join(ROOT, 'scripts/demo-seed.yaml'));
    db = new pg.Client({ connectionString: roles.databaseUrl });
    await db.connect();
    web = await startWeb();
    admin = await signIn('admin@demo.test');
  }, 60_000);

  afterAll(async () => {
    await roles.killAll();
    await db?.end();
    await roles.cleanup();
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
    // The history tells the same once: one timer-fired line, and the task it interrupted cancelled once.
    const lines = await db.query<{ event: string; element_id: string | null }>(
      `SELECT event, element_id FROM process_history WHERE instance_id = $1 AND event IN ('timer-fired', 'task-cancelled', 'task-created') ORDER BY seq`,
      [instanceId],
    );
    expect(lines.rows).toEqual([
      { event: 'task-created', element_id: 'Esamina' },
      { event: 'timer-fired', element_id: 'Scadenza' },
      { event: 'task-cancelled', element_id: 'Esamina' },
      { event: 'task-created', element_id: 'Sollecito' },
    ]);
    const view = await request(web.url)
      .get(`/api/v1/process-instances/${instanceId}`)
      .set('Host', HOST)
      .set('Authorization', `Bearer ${admin}`);
    expect(view.body).toMatchObject({ status: 'waiting', activeElements: ['Sollecito'] });
  }, 60_000);

  it('runs every service task to exactly one effect when the worker is killed with service jobs pending and in flight', async () => {
    const key = `crash-service-${tag}`;
    const child = `crash-child-${tag}`;
    await deploy(child, minimalBpmn(child, { taskName: 'Fascicola', candidateGroups: 'role:operator' }));
    await deploy(key, callingBpmn(key, child));
    const count = 40;
    // No worker: every start leaves its service job pending in the queue.
    await Promise.all([...workers].map(kill9));
    const ids: string[] = [];
    for (let n = 0; n < count; n += 1) {
      const res = await post('/api/v1/process-instances', { definitionKey: key, businessKey: `${key}-${n}`, variables: { n } });
      expect(res.status).toBe(201);
      ids.push((res.body as { id: string }).id);
    }
    const progress = async () =>
      (
        await db.query<{ state: string; n: number }>(
          `SELECT j.state, count(*)::int AS n FROM process_service_jobs j JOIN process_instances i ON i.id = j.instance_id
           JOIN process_definitions d ON d.id = i.definition_id WHERE d.key = $1 GROUP BY j.state`,
          [key],
        )
      ).rows;
    const completed = async () => (await progress()).find((row) => row.state === 'completed')?.n ?? 0;
    const worker = await startWorker();
    // Killed once some calls are through and the rest are queued or in hand (4 at a time).
    await eventually(async () => (await completed()) >= 1, 30_000, 10);
    await kill9(worker);
    expect(await completed()).toBeLessThan(count * 2);

    await startWorker();
    // A job in hand when the worker died is taken up again once its lock expires (BullMQ stalled jobs).
    await eventually(async () => (await completed()) === count * 2, 100_000);
    for (const [n, id] of ids.entries()) {
      const view = await request(web.url).get(`/api/v1/process-instances/${id}`).set('Host', HOST).set('Authorization', `Bearer ${admin}`);
      expect(view.body).toMatchObject({ status: 'waiting', activeElements: ['Esamina'], incidents: [], variables: { n, registrato: n } });
    }
    // One child per calling instance, whatever was repeated: the call's idempotency key is the child's start key.
    const children = await db.query<{ business_key: string; n: number }>(
      `SELECT i.business_key, count(*)::int AS n FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id
       WHERE d.key = $1 GROUP BY i.business_key ORDER BY i.business_key::int`,
      [child],
    );
    expect(children.rows).toEqual(Array.from({ length: count }, (_, n) => ({ business_key: String(n), n: 1 })));
  }, 180_000);

  it('keeps every acknowledged start whole when the web process is killed in the middle of a burst', async () => {
    const key = `crash-burst-${tag}`;
    // Start → Esamina → end: no timer, so each start stays waiting on its one task.
    await deploy(key, minimalBpmn(key, { taskName: 'Esamina', candidateGroups: 'role:operator' }));
    const acknowledged: string[] = [];
    const one = async (i: number) => {
      try {
        const res = await post('/api/v1/process-instances', { definitionKey: key, businessKey: `${key}-${i}`, variables: { i } });
        if (res.status === 201) acknowledged.push((res.body as { id: string }).id);
      } catch {
        // The connection died with the process: this start was never acknowledged.
      }
    };
    const savedCount = async () =>
      (
        await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id WHERE d.key = $1`,
          [key],
        )
      ).rows[0]!.n;
    // A few starts through, then a burst of 40 all in flight at once: more than the web process's 10
    // pooled connections, so a step that asked the pool for a second connection while holding one would
    // deadlock here. The kill comes as soon as the burst's first start is saved, when most of it is
    // still waiting for a connection (killing on the third answer instead let a fast server answer all).
    for (let i = 0; i < 3; i += 1) await one(i);
    const burst = Array.from({ length: 40 }, (_, k) => one(3 + k));
    await eventually(async () => (await savedCount()) > 3, 30_000, 2);
    await kill9(web.child);
    await Promise.all(burst);
    expect(acknowledged.length).toBeGreaterThanOrEqual(3);
    expect(acknowledged.length).toBeLessThan(43);

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
    // Each saved instance has its history once (the start's lines committed with it), and no line lost its instance.
    const history = await db.query<{ id: string; started: number; created: number }>(
      `SELECT i.id, count(*) FILTER (WHERE h.event = 'instance-started')::int AS started,
              count(*) FILTER (WHERE h.event = 'task-created')::int AS created
       FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id
       LEFT JOIN process_history h ON h.instance_id = i.id
       WHERE d.key = $1 GROUP BY i.id`,
      [key],
    );
    expect(history.rows.filter((row) => row.started !== 1 || row.created !== 1)).toEqual([]);
  }, 60_000);
});
