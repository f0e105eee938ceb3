import { DataSource } from 'typeorm';
import type { ApiClient } from '../support/api-client.js';
import { bpmnHead, escalationBpmn, minimalBpmn } from '../support/bpmn.js';
import { completeTask, deploy, instanceOf, signIn, startInstance, taskOf, testOffice } from '../support/process-api.js';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';

// A version's first step is run once and handed to later starts when it did not depend on the
// instance (start-snapshots.ts): these starts must still each get what their own variables and times make.

/** Start → Smista: urgente → Urgente (first office), otherwise → Ordinaria (second office). */
function sortingBpmn(key: string, first: string, second: string): string {
  return `${bpmnHead(key)}
  <bpmn:process id="${key}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
    <bpmn:exclusiveGateway id="Smista" default="Flow_3" />
    <bpmn:userTask id="Urgente" name="Urgente" camunda:candidateGroups="${first}" />
    <bpmn:userTask id="Ordinaria" name="Ordinaria" camunda:candidateGroups="${second}" />
    <bpmn:endEvent id="EndEvent_1" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Smista" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Smista" targetRef="Urgente">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${urgente == true}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Smista" targetRef="Ordinaria" />
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Urgente" targetRef="EndEvent_1" />
    <bpmn:sequenceFlow id="Flow_5" sourceRef="Ordinaria" targetRef="EndEvent_1" />
  </bpmn:process>
</bpmn:definitions>
`;
}

interface Line {
  event: string;
  elementId: string | null;
  at: string;
}

describe('the first step of new instances', () => {
  let t: TestApp;
  const tag = Date.now().toString(36);
  const first = testOffice(`${tag}-a`);
  const second = testOffice(`${tag}-b`);
  let admin: ApiClient;
  let firstOperator: ApiClient;
  let secondOperator: ApiClient;

  const openTasks = async (client: ApiClient) =>
    ((await client.get('/api/v1/tasks?state=open').expect(200)).body as { tasks: { processInstanceId: string }[] }).tasks.map(
      (task) => task.processInstanceId,
    );
  const historyOf = async (id: string) =>
    ((await admin.get(`/api/v1/process-instances/${id}/history`).expect(200)).body as { history: Line[] }).history;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await signIn(t.app, await createUser(t.app, 'demo', { roles: ['admin'] }));
    firstOperator = await signIn(t.app, await createUser(t.app, 'demo', { grants: [{ role: 'operator', office: first.office }] }));
    secondOperator = await signIn(t.app, await createUser(t.app, 'demo', { grants: [{ role: 'operator', office: second.office }] }));
  });
  afterAll(async () => {
    await t.close();
  });

  it('routes every start of a version by its own variables', async () => {
    const key = `smista-${tag}`;
    await deploy(admin, key, sortingBpmn(key, first.operators, second.operators));
    const urgent = await startInstance(admin, key, null, { urgente: true });
    const ordinary = await startInstance(admin, key, null, { urgente: false });
    const urgentAgain = await startInstance(admin, key, null, { urgente: true });
    const ordinaryAgain = await startInstance(admin, key, null, {});
    expect((await instanceOf(admin, urgent)).activeElements).toEqual(['Urgente']);
    expect((await instanceOf(admin, ordinary)).activeElements).toEqual(['Ordinaria']);
    expect((await instanceOf(admin, urgentAgain)).activeElements).toEqual(['Urgente']);
    expect((await instanceOf(admin, ordinaryAgain)).activeElements).toEqual(['Ordinaria']);
  });

  it('gives each start of one version the candidates its variables name', async () => {
    const key = `candidati-${tag}`;
    await deploy(admin, key, minimalBpmn(key, { candidateGroups: '${candidati}' }));
    const forFirst = await startInstance(admin, key, null, { candidati: first.operators });
    const forSecond = await startInstance(admin, key, null, { candidati: second.operators });
    const firstInbox = await openTasks(firstOperator);
    const secondInbox = await openTasks(secondOperator);
    expect(firstInbox).toContain(forFirst);
    expect(firstInbox).not.toContain(forSecond);
    expect(secondInbox).toContain(forSecond);
    expect(secondInbox).not.toContain(forFirst);
  });

  it('keeps instances started alike apart: their own history times, tasks and ends', async () => {
    const key = `uguali-${tag}`;
    await deploy(admin, key, minimalBpmn(key, { candidateGroups: first.operators }));
    const one = await startInstance(admin, key, 'uno', { n: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const before = Date.now();
    const two = await startInstance(admin, key, 'due', { n: 2 });
    const after = Date.now();
    for (const line of await historyOf(two)) {
      expect(Date.parse(line.at)).toBeGreaterThanOrEqual(before - 5);
      expect(Date.parse(line.at)).toBeLessThanOrEqual(after + 5);
    }
    expect(Math.max(...(await historyOf(one)).map((line) => Date.parse(line.at)))).toBeLessThan(before);

    expect((await completeTask(firstOperator, (await taskOf(t.app, one, 'Esamina')).id)).processInstance.status).toBe('completed');
    expect(await instanceOf(admin, two)).toMatchObject({ status: 'waiting', activeElements: ['Esamina'], variables: { n: 2 } });
    expect((await completeTask(firstOperator, (await taskOf(t.app, two, 'Esamina')).id)).processInstance.status).toBe('completed');
  });

  it('times the first task of each start from that start', async () => {
    const key = `scadenza-${tag}`;
    await deploy(admin, key, escalationBpmn(key, { candidates: first.operators, escalateTo: second.operators, duration: 'PT1H' }));
    const dueOf = async (id: string) => {
      const [timer] = await t.app
        .get(DataSource)
        .query<{ due_at: Date }[]>(`SELECT due_at FROM process_timers WHERE instance_id = $1`, [id]);
      return timer!.due_at.getTime();
    };
    const one = await startInstance(admin, key, null);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const two = await startInstance(admin, key, null);
    expect((await dueOf(two)) - (await dueOf(one))).toBeGreaterThanOrEqual(1000);
  });
});
