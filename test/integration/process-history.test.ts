import { DataSource } from 'typeorm';
import type { ApiClient } from '../support/api-client.js';
import { bpmnHead } from '../support/bpmn.js';
import { deploy, signIn as signInAt, startInstance, testOffice } from '../support/process-api.js';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';
import { eventually } from '../support/eventually.js';

const tag = Date.now().toString(36);
const { office, operators, managers } = testOffice(tag);

/** 3600: the PT2H timer's job runs after 2 s (only the job's delay is scaled). */
const CLOCK_FACTOR = '3600';

/** Esamina (operators) → wait PT2H → Approva (managers) → end. */
function reviewBpmn(key: string): string {
  return `${bpmnHead(key)}
  <bpmn:process id="${key}" name="Revisione ${key}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
    <bpmn:userTask id="Esamina" name="Esamina" camunda:candidateGroups="${operators}" />
    <bpmn:intermediateCatchEvent id="Attesa" name="Attesa">
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

interface Line {
  event: string;
  elementId: string | null;
  elementType: string | null;
  taskId: string | null;
  actor: { id: string; displayName: string | null } | null;
  at: string;
}

describe('process history, instance list and SLA figures', () => {
  let t: TestApp;
  const previousFactor = process.env.PROCESS_CLOCK_FACTOR;
  const signIn = (user: { email: string; password: string }) => signInAt(t.app, user);
  const db = () => t.app.get(DataSource);
  const openTask = async (instanceId: string, elementId: string) =>
    eventually(async () => {
      const [row] = await db().query<{ id: string }[]>(
        `SELECT id FROM tasks WHERE instance_id = $1 AND element_id = $2 AND state IN ('open', 'claimed')`,
        [instanceId, elementId],
      );
      return row?.id;
    });

  beforeAll(async () => {
    process.env.PROCESS_CLOCK_FACTOR = CLOCK_FACTOR;
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
    if (previousFactor === undefined) delete process.env.PROCESS_CLOCK_FACTOR;
    else process.env.PROCESS_CLOCK_FACTOR = previousFactor;
  });

  it('records every step in order with who did it, survives a restart, and is hidden from others', async () => {
    const key = `revisione-${tag}`;
    const users = {
      admin: await createUser(t.app, 'demo', { roles: ['admin'] }),
      operator: await createUser(t.app, 'demo', { grants: [{ role: 'operator', office }] }),
      manager: await createUser(t.app, 'demo', { grants: [{ role: 'manager', office }] }),
      starter: await createUser(t.app, 'demo', { roles: ['operator'] }),
    };
    const admin = await signIn(users.admin);
    const operator = await signIn(users.operator);
    const manager = await signIn(users.manager);
    await deploy(admin, key, reviewBpmn(key));
    const starter = await signIn(users.starter);
    const instance = (await starter.post('/api/v1/process-instances', { definitionKey: key, businessKey: `PEC-${tag}` }).expect(201))
      .body as { id: string };

    const esamina = await openTask(instance.id, 'Esamina');
    await operator.post(`/api/v1/tasks/${esamina}/claim`).expect(200);
    await operator.post(`/api/v1/tasks/${esamina}/release`).expect(200);
    await operator.post(`/api/v1/tasks/${esamina}/claim`).expect(200);
    await operator.post(`/api/v1/tasks/${esamina}/complete`, { data: { esito: 'ok' } }).expect(200);
    const approva = await openTask(instance.id, 'Approva');
    await manager.post(`/api/v1/tasks/${approva}/claim`).expect(200);
    await manager.post(`/api/v1/tasks/${approva}/complete`, { data: {} }).expect(200);

    const who = (line: Line) => (line.actor ? line.actor.id : null);
    const expected = [
      ['instance-started', null, users.starter.id],
      ['started', 'StartEvent_1', null],
      ['completed', 'StartEvent_1', null],
      ['started', 'Esamina', null],
      ['task-created', 'Esamina', null],
      ['task-claimed', 'Esamina', users.operator.id],
      ['task-released', 'Esamina', users.operator.id],
      ['task-claimed', 'Esamina', users.operator.id],
      ['task-completed', 'Esamina', users.operator.id],
      ['completed', 'Esamina', null],
      ['started', 'Attesa', null],
      ['timer-fired', 'Attesa', null],
      ['completed', 'Attesa', null],
      ['started', 'Approva', null],
      ['task-created', 'Approva', null],
      ['task-claimed', 'Approva', users.manager.id],
      ['task-completed', 'Approva', users.manager.id],
      ['completed', 'Approva', null],
      ['started', 'EndEvent_1', null],
      ['completed', 'EndEvent_1', null],
      ['instance-completed', null, null],
    ];
    const read = async (client: ApiClient) =>
      ((await client.get(`/api/v1/process-instances/${instance.id}/history`).expect(200)).body as { history: Line[] }).history;
    const history = await read(starter);
    expect(history.map((line) => [line.event, line.elementId, who(line)])).toEqual(expected);
    expect(history.find((line) => line.elementId === 'Attesa')?.elementType).toBe('bpmn:IntermediateCatchEvent');
    expect(history.find((line) => line.event === 'task-completed')?.actor?.displayName).toBe(users.operator.displayName);
    const times = history.map((line) => Date.parse(line.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    // The task's own history: only its lines, for whoever sees the task.
    const taskHistory = ((await operator.get(`/api/v1/tasks/${esamina}/history`).expect(200)).body as { history: Line[] }).history;
    expect(taskHistory.map((line) => [line.event, who(line)])).toEqual([
      ['task-created', null],
      ['task-claimed', users.operator.id],
      ['task-released', users.operator.id],
      ['task-claimed', users.operator.id],
      ['task-completed', users.operator.id],
    ]);

    // Another operator did not start it and is no candidate of Approva; another workspace knows nothing of it.
    const stranger = await signIn(await createUser(t.app, 'demo', { roles: ['operator'] }));
    await stranger.get(`/api/v1/process-instances/${instance.id}/history`).expect(404);
    await stranger.get(`/api/v1/tasks/${approva}/history`).expect(404);
    const other = await signInAt(t.app, await createUser(t.app, 'acme', { roles: ['admin'] }), 'acme.localhost');
    await other.get(`/api/v1/process-instances/${instance.id}/history`).expect(404);
    await other.get(`/api/v1/tasks/${esamina}/history`).expect(404);

    await t.close();
    t = await startTestApp();
    expect((await read(await signIn(users.admin))).map((line) => [line.event, line.elementId, who(line)])).toEqual(expected);
  });

  it('records a delivered message and what it interrupted', async () => {
    const key = `annullo-${tag}`;
    const message = `annullo-${tag}`;
    const adminUser = await createUser(t.app, 'demo', { roles: ['admin'] });
    const admin = await signIn(adminUser);
    const bpmn = `${bpmnHead(key)}
  <bpmn:message id="Msg_1" name="${message}" />
  <bpmn:process id="${key}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
    <bpmn:userTask id="Esamina" name="Esamina" camunda:candidateGroups="${operators}" />
    <bpmn:boundaryEvent id="Annulla" attachedToRef="Esamina" cancelActivity="true"><bpmn:messageEventDefinition id="Med_1" messageRef="Msg_1" /></bpmn:boundaryEvent>
    <bpmn:userTask id="Annullata" name="Annullata" camunda:candidateGroups="${managers}" />
    <bpmn:endEvent id="EndEvent_1" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Esamina" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Esamina" targetRef="EndEvent_1" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Annulla" targetRef="Annullata" />
  </bpmn:process>
</bpmn:definitions>
`;
    await deploy(admin, key, bpmn);
    const instance = { id: await startInstance(admin, key, `M-${tag}`) };
    await admin
      .post('/api/v1/process-messages', { messageName: message, businessKey: `M-${tag}`, messageId: `<id-${tag}@pec>` })
      .expect(200);
    const history = (
      (await admin.get(`/api/v1/process-instances/${instance.id}/history`).expect(200)).body as { history: (Line & { details: object })[] }
    ).history;
    expect(history.map((line) => [line.event, line.elementId, line.actor?.id ?? null])).toEqual([
      ['instance-started', null, adminUser.id],
      ['started', 'StartEvent_1', null],
      ['completed', 'StartEvent_1', null],
      ['started', 'Annulla', null],
      ['started', 'Esamina', null],
      ['task-created', 'Esamina', null],
      ['message-correlated', null, adminUser.id],
      ['cancelled', 'Esamina', null],
      ['completed', 'Annulla', null],
      ['started', 'Annullata', null],
      ['task-cancelled', 'Esamina', null],
      ['task-created', 'Annullata', null],
    ]);
    expect(history.find((line) => line.event === 'message-correlated')).toMatchObject({
      actor: { id: adminUser.id },
      details: { messageName: message, businessKey: `M-${tag}`, messageId: `<id-${tag}@pec>` },
    });
  });

  it('lists instances with filters, each user seeing their own and managers all', async () => {
    const key = `elenco-${tag}`;
    const admin = await signIn(await createUser(t.app, 'demo', { roles: ['admin'] }));
    await deploy(admin, key, reviewBpmn(key));
    const one = await createUser(t.app, 'demo', { roles: ['operator'] });
    const two = await createUser(t.app, 'demo', { roles: ['operator'] });
    const clientOne = await signIn(one);
    const clientTwo = await signIn(two);
    const a = (await clientOne.post('/api/v1/process-instances', { definitionKey: key, businessKey: `A-${tag}` }).expect(201)).body as {
      id: string;
    };
    const b = (await clientTwo.post('/api/v1/process-instances', { definitionKey: key, businessKey: `B-${tag}` }).expect(201)).body as {
      id: string;
    };
    const ids = async (client: ApiClient, query: string) =>
      ((await client.get(`/api/v1/process-instances?${query}`).expect(200)).body as { instances: { id: string }[] }).instances.map(
        (i) => i.id,
      );
    expect(await ids(admin, `definitionKey=${key}`)).toEqual([b.id, a.id]);
    expect(await ids(admin, `definitionKey=${key}&businessKey=A-${tag}`)).toEqual([a.id]);
    expect(await ids(admin, `definitionKey=${key}&status=completed`)).toEqual([]);
    expect(await ids(admin, `definitionKey=${key}&status=waiting&limit=1`)).toEqual([b.id]);
    expect(await ids(clientOne, `definitionKey=${key}`)).toEqual([a.id]);
    expect(await ids(clientTwo, `definitionKey=${key}`)).toEqual([b.id]);
    const manager = await signIn(await createUser(t.app, 'demo', { roles: ['manager'] }));
    expect(await ids(manager, `definitionKey=${key}`)).toEqual([b.id, a.id]);
    await admin.get('/api/v1/process-instances?status=sleeping').expect(400);
    const [summary] = ((await admin.get(`/api/v1/process-instances?businessKey=A-${tag}`).expect(200)).body as { instances: object[] })
      .instances;
    expect(summary).toMatchObject({
      definitionKey: key,
      definitionVersion: 1,
      status: 'waiting',
      activeElements: ['Esamina'],
      startedBy: one.id,
    });
  });

  it('computes the SLA figures per task type from the task times', async () => {
    const key = `sla-${tag}`;
    const admin = await signIn(await createUser(t.app, 'demo', { roles: ['admin'] }));
    const operator = await signIn(await createUser(t.app, 'demo', { grants: [{ role: 'operator', office }] }));
    await deploy(admin, key, reviewBpmn(key));
    const tasks: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      tasks.push(await openTask(await startInstance(admin, key, null), 'Esamina'));
    }
    // Tasks 0–2 completed, 3 claimed, 4 open: through the real flow, then their times set to known values.
    for (const id of tasks.slice(0, 4)) await operator.post(`/api/v1/tasks/${id}/claim`).expect(200);
    for (const id of tasks.slice(0, 3)) await operator.post(`/api/v1/tasks/${id}/complete`, { data: {} }).expect(200);
    const base = Date.parse('2026-01-05T08:00:00Z');
    const at = (minutes: number) => new Date(base + minutes * 60_000);
    // Take charge: 10, 20, 30, 40 minutes; complete: 60, 120, 180 minutes.
    const times: [Date, Date | null, Date | null][] = [
      [at(0), at(10), at(70)],
      [at(0), at(20), at(140)],
      [at(0), at(30), at(210)],
      [at(0), at(40), null],
      [at(0), null, null],
    ];
    for (const [i, [created, claimed, completed]] of times.entries()) {
      await db().query(`UPDATE tasks SET created_at = $2, claimed_at = $3, completed_at = $4, due_at = $5 WHERE id = $1`, [
        tasks[i],
        created,
        claimed,
        completed,
        // Due yesterday for the claimed and the open one: both overdue; the completed ones do not count.
        at(60),
      ]);
    }
    const manager = await signIn(await createUser(t.app, 'demo', { roles: ['manager'] }));
    const figures = (
      (await manager.get('/api/v1/process-sla').expect(200)).body as { figures: { definitionKey: string; elementId: string }[] }
    ).figures;
    // Only Esamina's figures: the completed ones may have reached Approva (its PT2H timer is 2 s here) by now.
    expect(figures.filter((f) => f.definitionKey === key && f.elementId === 'Esamina')).toEqual([
      {
        definitionKey: key,
        definitionName: `Revisione ${key}`,
        elementId: 'Esamina',
        taskName: 'Esamina',
        count: 5,
        open: 2,
        overdue: 2,
        completed: 3,
        // percentile_cont over 600, 1200, 1800, 2400 s: median 1500, p90 2220.
        takeCharge: { median: 1500, p90: 2220 },
        // over 3600, 7200, 10800 s: median 7200, p90 10080.
        complete: { median: 7200, p90: 10080 },
      },
    ]);
    const since = (
      (await manager.get('/api/v1/process-sla?since=2026-02-01T00:00:00Z').expect(200)).body as { figures: { definitionKey: string }[] }
    ).figures;
    expect(since.filter((f) => f.definitionKey === key)).toEqual([]);
    await manager.get('/api/v1/process-sla?since=ieri').expect(400);
    await operator.get('/api/v1/process-sla').expect(403);
  });
});
