import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../src/config/config.module.js';
import { connectRedis } from '../../src/queue/redis.module.js';
import { bpmnHead, escalationBpmn as anyEscalationBpmn } from '../support/bpmn.js';
import { completeTask, deploy, signIn, startInstance, testOffice } from '../support/process-api.js';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';
import { eventually } from '../support/eventually.js';

const tag = Date.now().toString(36);
const { office, operators, managers } = testOffice(tag);

/** The shared escalation model, its tasks given to this file's office. */
const escalationBpmn = (key: string, options: { duration?: string; interrupting?: boolean } = {}) =>
  anyEscalationBpmn(key, { candidates: operators, escalateTo: managers, ...options });

/** 3600: a PT1H timer's job runs after 1 s (only the job's delay is scaled; due_at stays the BPMN's). */
const CLOCK_FACTOR = '3600';

/** Esamina → wait PT2H → Approva. */
function catchBpmn(key: string): string {
  return `${bpmnHead(key)}
  <bpmn:process id="${key}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
    <bpmn:userTask id="Esamina" name="Esamina" camunda:candidateGroups="${operators}" />
    <bpmn:intermediateCatchEvent id="Attesa">
      <bpmn:timerEventDefinition id="Timer_1"><bpmn:timeDuration>PT2H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:userTask id="Approva" name="Approva" camunda:candidateGroups="${managers}" />
    <bpmn:endEvent id="EndEvent_1" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Esamina" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Esamina" targetRef="Attesa" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Attesa" targetRef="Approva" />
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Approva" targetRef="EndEvent_1" />
  </bpmn:process>
</bpmn:definitions>
`;
}

/** Esamina with a boundary timer of any kind (`<bpmn:timeDate>…`), non-interrupting by default → Sollecito. */
function boundaryBpmn(key: string, timer: string, interrupting = false): string {
  return escalationBpmn(key, { interrupting }).replace(/<bpmn:timeDuration>PT1H<\/bpmn:timeDuration>/, timer);
}

/** Start → wait (any timer definition) → Approva. */
function waitBpmn(key: string, timer: string): string {
  return `${bpmnHead(key)}
  <bpmn:process id="${key}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
    <bpmn:intermediateCatchEvent id="Attesa"><bpmn:timerEventDefinition id="Timer_1">${timer}</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:userTask id="Approva" name="Approva" camunda:candidateGroups="${managers}" />
    <bpmn:endEvent id="EndEvent_1" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Attesa" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Attesa" targetRef="Approva" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Approva" targetRef="EndEvent_1" />
  </bpmn:process>
</bpmn:definitions>
`;
}

interface TaskRow {
  id: string;
  element_id: string;
  state: string;
}

interface TimerRow {
  id: string;
  element_id: string;
  state: string;
  due_at: Date;
  created_at: Date;
}

describe('durable BPMN timers (process_timers + BullMQ delayed jobs)', () => {
  let t: TestApp;
  const previousFactor = process.env.PROCESS_CLOCK_FACTOR;

  const db = () => t.app.get(DataSource);
  const tasksOf = (instanceId: string) =>
    db().query<TaskRow[]>(`SELECT id, element_id, state FROM tasks WHERE instance_id = $1 ORDER BY created_at, element_id`, [instanceId]);
  const timersOf = (instanceId: string) =>
    db().query<TimerRow[]>(
      `SELECT id, element_id, state, due_at, created_at FROM process_timers WHERE instance_id = $1 ORDER BY created_at`,
      [instanceId],
    );

  /** New users for each test, and a definition of its own. */
  async function setUp(name: string, bpmn: (key: string) => string) {
    const key = `${name}-${tag}`;
    const users = {
      admin: await createUser(t.app, 'demo', { roles: ['admin'] }),
      operator: await createUser(t.app, 'demo', { grants: [{ role: 'operator', office }] }),
    };
    const admin = await signIn(t.app, users.admin);
    const operator = await signIn(t.app, users.operator);
    await deploy(admin, key, bpmn(key));
    const instance = { id: await startInstance(admin, key, key) };
    expect((await admin.get(`/api/v1/process-instances/${instance.id}`).expect(200)).body).toMatchObject({ status: 'waiting' });
    return { admin, operator, instance };
  }

  beforeAll(async () => {
    process.env.PROCESS_CLOCK_FACTOR = CLOCK_FACTOR;
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
    if (previousFactor === undefined) delete process.env.PROCESS_CLOCK_FACTOR;
    else process.env.PROCESS_CLOCK_FACTOR = previousFactor;
  });

  it('fires an interrupting boundary timer: the task is cancelled and the escalation opens', async () => {
    const { admin, instance } = await setUp('sollecito', (key) => escalationBpmn(key, { duration: 'PT1H', interrupting: true }));
    const [timer] = await timersOf(instance.id);
    expect(timer).toMatchObject({ element_id: 'Scadenza', state: 'scheduled' });
    // due_at is the BPMN's real due time, not the accelerated one.
    expect(timer!.due_at.getTime() - timer!.created_at.getTime()).toBeGreaterThan(3_500_000);

    const tasks = await eventually(async () => {
      const rows = await tasksOf(instance.id);
      return rows.some((row) => row.element_id === 'Sollecito') && rows;
    });
    expect(tasks.map((row) => [row.element_id, row.state])).toEqual([
      ['Esamina', 'cancelled'],
      ['Sollecito', 'open'],
    ]);
    expect(await timersOf(instance.id)).toEqual([expect.objectContaining({ id: timer!.id, state: 'fired' })]);
    expect((await admin.get(`/api/v1/process-instances/${instance.id}`).expect(200)).body).toMatchObject({
      status: 'waiting',
      activeElements: ['Sollecito'],
    });
  });

  it('cancels the boundary timer when the task is completed first; its job does nothing', async () => {
    const { operator, instance } = await setUp('presto', (key) => escalationBpmn(key, { duration: 'PT3H', interrupting: true }));
    const [esamina] = await tasksOf(instance.id);
    const done = await completeTask(operator, esamina!.id);
    expect(done.processInstance.status).toBe('completed');
    const [timer] = await timersOf(instance.id);
    expect(timer!.state).toBe('cancelled');

    // The stale job (3 s accelerated) runs and no-ops.
    const job = timerQueue();
    try {
      await eventually(async () => (await job.getJob(timer!.id))?.finishedOn, 10_000);
      expect((await job.getJob(timer!.id))?.returnvalue).toEqual({ fired: false, escalated: [] });
    } finally {
      await job.close();
    }
    expect((await tasksOf(instance.id)).map((row) => [row.element_id, row.state])).toEqual([['Esamina', 'completed']]);
    expect((await timersOf(instance.id))[0]!.state).toBe('cancelled');
  });

  it('fires a non-interrupting boundary timer: the notification opens while the task stays open', async () => {
    const { admin, instance } = await setUp('avviso', (key) => escalationBpmn(key, { duration: 'PT1H', interrupting: false }));
    await eventually(async () => (await tasksOf(instance.id)).some((row) => row.element_id === 'Sollecito'));
    expect((await tasksOf(instance.id)).map((row) => [row.element_id, row.state])).toEqual([
      ['Esamina', 'open'],
      ['Sollecito', 'open'],
    ]);
    expect((await admin.get(`/api/v1/process-instances/${instance.id}`).expect(200)).body).toMatchObject({
      status: 'waiting',
      activeElements: ['Esamina', 'Sollecito'],
    });
    expect((await timersOf(instance.id))[0]!.state).toBe('fired');
  });

  it('waits on an intermediate timer between two user tasks', async () => {
    const { admin, operator, instance } = await setUp('attesa', catchBpmn);
    const [esamina] = await tasksOf(instance.id);
    expect((await completeTask(operator, esamina!.id)).processInstance.status).toBe('waiting');
    expect((await admin.get(`/api/v1/process-instances/${instance.id}`).expect(200)).body).toMatchObject({ activeElements: ['Attesa'] });
    expect(await timersOf(instance.id)).toEqual([expect.objectContaining({ element_id: 'Attesa', state: 'scheduled' })]);

    await eventually(async () => (await tasksOf(instance.id)).some((row) => row.element_id === 'Approva'));
    expect((await admin.get(`/api/v1/process-instances/${instance.id}`).expect(200)).body).toMatchObject({
      status: 'waiting',
      activeElements: ['Approva'],
    });
    expect((await timersOf(instance.id))[0]!.state).toBe('fired');
  });

  it('re-derives the jobs Redis lost from process_timers when the worker starts', async () => {
    const { instance } = await setUp('durevole', (key) => escalationBpmn(key, { duration: 'PT4H', interrupting: true }));
    const [timer] = await timersOf(instance.id);
    const queue = timerQueue();
    try {
      // Lost Redis: the delayed job is gone before it ran.
      await queue.remove(timer!.id);
      expect(await queue.getJob(timer!.id)).toBeUndefined();
      await t.close();
      t = await startTestApp();
      expect(await queue.getJob(timer!.id)).toBeDefined();
    } finally {
      await queue.close();
    }
    await eventually(async () => (await tasksOf(instance.id)).some((row) => row.element_id === 'Sollecito'));
    expect((await timersOf(instance.id))[0]!.state).toBe('fired');
  });

  it('fires a timeDate boundary timer at its absolute date', async () => {
    const due = new Date(Date.now() + 2 * 3600_000);
    const { instance } = await setUp('data', (key) => boundaryBpmn(key, `<bpmn:timeDate>${due.toISOString()}</bpmn:timeDate>`, true));
    const [timer] = await timersOf(instance.id);
    expect(Math.abs(timer!.due_at.getTime() - due.getTime())).toBeLessThan(1000);
    await eventually(async () => (await tasksOf(instance.id)).some((row) => row.element_id === 'Sollecito'));
    expect((await tasksOf(instance.id)).map((row) => [row.element_id, row.state])).toEqual([
      ['Esamina', 'cancelled'],
      ['Sollecito', 'open'],
    ]);
  });

  it('repeats a non-interrupting R3/PT10M cycle three times, then stops; each firing escalates and sends a token on', async () => {
    const { admin, instance } = await setUp('ciclo', (key) => boundaryBpmn(key, '<bpmn:timeCycle>R3/PT10M</bpmn:timeCycle>'));
    const timers = await eventually(async () => {
      const rows = await timersOf(instance.id);
      return rows.length === 3 && rows.every((row) => row.state === 'fired') && rows;
    });
    // Each repetition is due 10 minutes (BPMN time) after the one before.
    expect(timers[1]!.due_at.getTime() - timers[0]!.due_at.getTime()).toBeGreaterThan(0);
    expect(await timersOf(instance.id)).toHaveLength(3);
    // The task stayed open, so each firing is an escalation of its own.
    const escalations = await db().query<{ timer_id: string }[]>(
      `SELECT e.timer_id FROM task_escalations e JOIN tasks t ON t.id = e.task_id WHERE t.instance_id = $1`,
      [instance.id],
    );
    expect(escalations.map((row) => row.timer_id).sort()).toEqual(timers.map((row) => row.id).sort());
    // Three tokens reached Sollecito: the engine runs them one after the other, each a task of its own.
    for (let round = 1; round <= 3; round += 1) {
      const sollecito = await eventually(async () =>
        (await tasksOf(instance.id)).find((row) => row.element_id === 'Sollecito' && row.state === 'open'),
      );
      await completeTask(admin, sollecito.id);
    }
    const tasks = await tasksOf(instance.id);
    expect(tasks.filter((row) => row.element_id === 'Sollecito').map((row) => row.state)).toEqual(['completed', 'completed', 'completed']);
    expect(tasks.find((row) => row.element_id === 'Esamina')?.state).toBe('open');
  });

  it('waits on an intermediate catch with a cycle and a date', async () => {
    for (const [name, timer] of [
      ['attesa-ciclo', '<bpmn:timeCycle>R3/PT10M</bpmn:timeCycle>'],
      ['attesa-data', `<bpmn:timeDate>${new Date(Date.now() + 3600_000).toISOString()}</bpmn:timeDate>`],
    ] as const) {
      const { instance } = await setUp(name, (key) => waitBpmn(key, timer));
      await eventually(async () => (await tasksOf(instance.id)).some((row) => row.element_id === 'Approva'));
      expect((await tasksOf(instance.id)).map((row) => row.element_id)).toEqual(['Approva']);
      expect((await timersOf(instance.id)).map((row) => row.state)).toEqual(['fired']);
    }
  });

  /** The timers queue as any producer sees it; closing it also closes its own connection. */
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
