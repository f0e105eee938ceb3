import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../src/config/config.module.js';
import { TenantContext } from '../../src/db/tenant-context.js';
import { StartTimers } from '../../src/process/start-timers.js';
import { connectRedis } from '../../src/queue/redis.module.js';
import type { ApiClient } from '../support/api-client.js';
import { bpmnHead } from '../support/bpmn.js';
import { signIn, testOffice } from '../support/process-api.js';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';
import { eventually } from '../support/eventually.js';

const tag = Date.now().toString(36);
const { operators } = testOffice(tag);

/** 3600: a PT1H firing's job runs after 1 s (due times stay the BPMN's). */
const CLOCK_FACTOR = '3600';

/** A timer start event (any timer definition) → Esamina → end. */
function startTimerBpmn(key: string, timer: string): string {
  return `${bpmnHead(key)}
  <bpmn:process id="${key}" name="Ogni ora ${key}" isExecutable="true">
    <bpmn:startEvent id="Ogni_ora"><bpmn:timerEventDefinition id="Timer_1">${timer}</bpmn:timerEventDefinition></bpmn:startEvent>
    <bpmn:userTask id="Esamina" name="Esamina" camunda:candidateGroups="${operators}" />
    <bpmn:endEvent id="EndEvent_1" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Ogni_ora" targetRef="Esamina" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Esamina" targetRef="EndEvent_1" />
  </bpmn:process>
</bpmn:definitions>
`;
}

interface StartRow {
  id: string;
  definition_id: string;
  firing: number;
  state: string;
  due_at: Date;
  instance_id: string | null;
}

describe('timer start events (process_start_timers + BullMQ delayed jobs)', () => {
  let t: TestApp;
  let admin: ApiClient;
  let adminUser: { email: string; password: string };
  const previousFactor = process.env.PROCESS_CLOCK_FACTOR;
  const db = () => t.app.get(DataSource);

  const rowsOf = (key: string) =>
    db().query<StartRow[]>(
      `SELECT s.id, s.definition_id, s.firing, s.state, s.due_at, s.instance_id FROM process_start_timers s
        JOIN process_definitions d ON d.id = s.definition_id WHERE d.key = $1 ORDER BY d.version, s.firing`,
      [key],
    );
  const instancesOf = (key: string) =>
    db().query<{ id: string; definition_id: string; status: string; started_by: string | null }[]>(
      `SELECT i.id, i.definition_id, i.status, i.started_by FROM process_instances i
        JOIN process_definitions d ON d.id = i.definition_id WHERE d.key = $1 ORDER BY i.created_at`,
      [key],
    );
  const deploy = (key: string, timer: string) =>
    admin.upload('/api/v1/process-definitions', Buffer.from(startTimerBpmn(key, timer)), `${key}.bpmn`);

  beforeAll(async () => {
    process.env.PROCESS_CLOCK_FACTOR = CLOCK_FACTOR;
    t = await startTestApp();
    adminUser = await createUser(t.app, 'demo', { roles: ['admin'] });
    admin = await signIn(t.app, adminUser);
  });
  afterAll(async () => {
    await t.close();
    if (previousFactor === undefined) delete process.env.PROCESS_CLOCK_FACTOR;
    else process.env.PROCESS_CLOCK_FACTOR = previousFactor;
  });

  it('starts one instance per firing of an R3/PT1H cycle, three in all, each waiting on its task', async () => {
    const key = `ciclo-${tag}`;
    await deploy(key, '<bpmn:timeCycle>R3/PT1H</bpmn:timeCycle>').expect(201);
    const [first] = await rowsOf(key);
    expect(first).toMatchObject({ firing: 1, state: 'scheduled' });

    const rows = await eventually(async () => {
      const all = await rowsOf(key);
      return all.length === 3 && all.every((row) => row.state === 'fired') && all;
    });
    // One period apart in BPMN time; and after the third firing nothing more is planned.
    expect(rows.map((row) => row.firing)).toEqual([1, 2, 3]);
    expect(rows[1]!.due_at.getTime() - rows[0]!.due_at.getTime()).toBe(3600_000);
    const instances = await instancesOf(key);
    expect(instances).toHaveLength(3);
    expect(instances.map((i) => i.id).sort()).toEqual(rows.map((row) => row.instance_id).sort());
    expect(instances.every((i) => i.status === 'waiting' && i.started_by === null)).toBe(true);
    const tasks = await db().query<{ element_id: string }[]>(`SELECT element_id FROM tasks WHERE instance_id = ANY($1)`, [
      instances.map((i) => i.id),
    ]);
    expect(tasks.map((row) => row.element_id)).toEqual(['Esamina', 'Esamina', 'Esamina']);
  });

  it('starts at a timeDate; a new version replaces the old schedule', async () => {
    const key = `versioni-${tag}`;
    await deploy(key, '<bpmn:timeCycle>R/P1D</bpmn:timeCycle>').expect(201);
    const [old] = await rowsOf(key);
    expect(old).toMatchObject({ state: 'scheduled', firing: 1 });
    const date = new Date(Date.now() + 2 * 3600_000);
    await deploy(key, `<bpmn:timeDate>${date.toISOString()}</bpmn:timeDate>`).expect(201);
    const rows = await rowsOf(key);
    expect(rows.map((row) => row.state)).toEqual(['cancelled', 'scheduled']);
    expect(Math.abs(rows[1]!.due_at.getTime() - date.getTime())).toBeLessThan(1000);
    await eventually(async () => (await rowsOf(key))[1]!.state === 'fired');
    const instances = await instancesOf(key);
    expect(instances.map((i) => i.definition_id)).toEqual([rows[1]!.definition_id]);
    // A date fires once.
    expect(await rowsOf(key)).toHaveLength(2);
  });

  it('starts exactly one instance when the job of a firing is delivered twice at once', async () => {
    const key = `doppio-${tag}`;
    await deploy(key, '<bpmn:timeCycle>R/P1D</bpmn:timeCycle>').expect(201);
    const [row] = await rowsOf(key);
    const [tenant] = await db().query<{ id: string }[]>(`SELECT id FROM tenants WHERE slug = 'demo'`);
    const scope = { tenantId: tenant!.id, slug: 'demo' };
    const job = { data: { tenant: scope, startTimerId: row!.id } } as never;
    const timers = t.app.get(StartTimers);
    const answers = await Promise.all([TenantContext.run(scope, () => timers.fire(job)), TenantContext.run(scope, () => timers.fire(job))]);
    expect(answers.filter((answer) => answer.started !== null)).toHaveLength(1);
    expect(await instancesOf(key)).toHaveLength(1);
    const rows = await rowsOf(key);
    expect(rows.map((r) => [r.firing, r.state])).toEqual([
      [1, 'fired'],
      [2, 'scheduled'],
    ]);
    // The queued job of the same firing, run later, does nothing either.
    expect(await TenantContext.run(scope, () => timers.fire(job))).toEqual({ started: null });
  });

  it('survives a restart that lost the Redis job: the new app re-derives it and the firing happens', async () => {
    const key = `riavvio-${tag}`;
    await deploy(key, '<bpmn:timeCycle>R1/PT3H</bpmn:timeCycle>').expect(201);
    const [row] = await rowsOf(key);
    const queue = timerQueue();
    try {
      await queue.remove(`start-${row!.id}`);
      expect(await queue.getJob(`start-${row!.id}`)).toBeUndefined();
      await t.close();
      t = await startTestApp();
      admin = await signIn(t.app, adminUser);
      expect(await queue.getJob(`start-${row!.id}`)).toBeDefined();
    } finally {
      await queue.close();
    }
    await eventually(async () => (await rowsOf(key))[0]!.state === 'fired');
    expect(await instancesOf(key)).toHaveLength(1);
  });

  it('refuses a start timer it cannot schedule, naming the element', async () => {
    const refused = await deploy(`espressione-${tag}`, '<bpmn:timeCycle>${intervallo}</bpmn:timeCycle>').expect(422);
    expect((refused.body as { errors: { elementId: string; message: string }[] }).errors).toEqual([
      expect.objectContaining({ elementId: 'Ogni_ora', message: expect.stringContaining('evento di inizio') as unknown }),
    ]);
    const cron = await deploy(`cron-${tag}`, '<bpmn:timeCycle>0 0/5 * * * ?</bpmn:timeCycle>').expect(422);
    expect((cron.body as { errors: { elementId: string }[] }).errors.map((e) => e.elementId)).toEqual(['Ogni_ora']);
    // Beside another start event, the engine would run both: refused.
    const mixed = startTimerBpmn(`misto-${tag}`, '<bpmn:timeCycle>R/PT1H</bpmn:timeCycle>').replace(
      '<bpmn:userTask id="Esamina"',
      '<bpmn:startEvent id="A_mano" /><bpmn:sequenceFlow id="Flow_0" sourceRef="A_mano" targetRef="Esamina" />\n    <bpmn:userTask id="Esamina"',
    );
    const refusedMixed = await admin.upload('/api/v1/process-definitions', Buffer.from(mixed), 'misto.bpmn').expect(422);
    expect((refusedMixed.body as { errors: { elementId: string; message: string }[] }).errors).toEqual([
      expect.objectContaining({ elementId: 'Ogni_ora', message: expect.stringContaining('unico evento di inizio') as unknown }),
    ]);
  });

  function timerQueue(): Queue {
    const config = t.app.get<AppConfig>(APP_CONFIG);
    const connection = connectRedis(config);
    const queue = new Queue('process-timers', { connection, prefix: config.REDIS_PREFIX });
    const close = queue.close.bind(queue);
    queue.close = async () => {
      await close();
      await connection.quit();
    };
    return queue;
  }
});
