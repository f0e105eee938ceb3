import { DataSource } from 'typeorm';
import { ApiClient } from '../support/api-client.js';
import { minimalBpmn } from '../support/bpmn.js';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';

interface TaskItem {
  id: string;
  name: string;
  elementId: string;
  candidateGroups: string | null;
  assignee: string | null;
  processInstanceId: string;
  state: string;
  priority: number;
  formKey: string | null;
}

/** Camunda Modeler style: Esamina (operators of one office) → esito approvata? → Approva (managers of another) : end. */
function reviewBpmn(key: string, office: string, managers: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_${key}" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.23.0">
  <bpmn:process id="${key}" name="Revisione ${key}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
    <bpmn:userTask id="Esamina" name="Esamina" camunda:candidateGroups="role:operator@${office}" camunda:formKey="esame" camunda:priority="70" />
    <bpmn:exclusiveGateway id="Esito" />
    <bpmn:userTask id="Approva" name="Approva" camunda:candidateGroups="${managers}" />
    <bpmn:endEvent id="EndEvent_1" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Esamina" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Esamina" targetRef="Esito" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Esito" targetRef="Approva">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${esito == "approvata"}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Esito" targetRef="EndEvent_1">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${esito != "approvata"}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_5" sourceRef="Approva" targetRef="EndEvent_1" />
  </bpmn:process>
</bpmn:definitions>
`;
}

/** A business rule task (DMN), which the runtime does not run: refused at deploy; a version stored before that rule fails with a reason, not hangs. */
function serviceBpmn(key: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Definitions_${key}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${key}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
    <bpmn:businessRuleTask id="Invia" name="Decidi la classificazione" />
    <bpmn:endEvent id="EndEvent_1" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Invia" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Invia" targetRef="EndEvent_1" />
  </bpmn:process>
</bpmn:definitions>
`;
}

describe('process instances and user tasks through the API', () => {
  let t: TestApp;
  const tag = Date.now().toString(36);
  const key = `revisione-${tag}`;
  const office = `Protocollo ${tag}`;
  const direction = `Direzione ${tag}`;
  const managers = `role:manager@${direction}`;
  let admin: ApiClient;
  let operator: ApiClient;
  let colleague: ApiClient;
  let outsider: ApiClient;
  let manager: ApiClient;
  let operatorId: string;
  let managerId: string;

  const signIn = (email: string, password: string) => ApiClient.signIn(t.app.getHttpServer(), 'demo.localhost', email, password);
  /** The same clients on another app instance: tokens are sessions in PostgreSQL, not in the process. */
  const rebind = (client: ApiClient) => new ApiClient(t.app.getHttpServer(), client.host, client.token);
  const tasksOf = async (client: ApiClient, instanceId: string, state = 'open') =>
    ((await client.get(`/api/v1/tasks?state=${state}`).expect(200)).body as { tasks: TaskItem[] }).tasks.filter(
      (task) => task.processInstanceId === instanceId,
    );
  const start = async (businessKey: string) => {
    const res = await admin.post('/api/v1/process-instances', { definitionKey: key, businessKey, variables: { protocollo: 42 } });
    expect(res.status).toBe(201);
    return res.body as { id: string; status: string };
  };

  beforeAll(async () => {
    t = await startTestApp();
    const users = {
      admin: await createUser(t.app, 'demo', { roles: ['admin'] }),
      operator: await createUser(t.app, 'demo', { grants: [{ role: 'operator', office }] }),
      colleague: await createUser(t.app, 'demo', { grants: [{ role: 'operator', office }] }),
      outsider: await createUser(t.app, 'demo', { grants: [{ role: 'operator', office: `Ragioneria ${tag}` }] }),
      manager: await createUser(t.app, 'demo', { grants: [{ role: 'manager', office: direction }] }),
    };
    admin = await signIn(users.admin.email, users.admin.password);
    operator = await signIn(users.operator.email, users.operator.password);
    colleague = await signIn(users.colleague.email, users.colleague.password);
    outsider = await signIn(users.outsider.email, users.outsider.password);
    manager = await signIn(users.manager.email, users.manager.password);
    operatorId = users.operator.id;
    managerId = users.manager.id;
    await admin.upload('/api/v1/process-definitions', Buffer.from(reviewBpmn(key, office, managers)), 'revisione.bpmn').expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  it('runs start → Esamina → (approvata) → Approva → end, with claims, visibility and variables', async () => {
    const instance = await start(`PEC-${tag}-1`);
    expect(instance.status).toBe('waiting');
    const view = (await admin.get(`/api/v1/process-instances/${instance.id}`).expect(200)).body as Record<string, unknown>;
    expect(view).toMatchObject({
      id: instance.id,
      status: 'waiting',
      definitionKey: key,
      definitionVersion: 1,
      businessKey: `PEC-${tag}-1`,
      activeElements: ['Esamina'],
      variables: { protocollo: 42 },
    });

    const [esamina] = await tasksOf(operator, instance.id);
    expect(esamina).toMatchObject({
      name: 'Esamina',
      elementId: 'Esamina',
      candidateGroups: `role:operator@${office}`,
      assignee: null,
      state: 'open',
      priority: 70,
      formKey: 'esame',
    });
    // Another office's operator neither sees the task nor can reach it.
    expect(await tasksOf(outsider, instance.id)).toEqual([]);
    expect((await outsider.post(`/api/v1/tasks/${esamina!.id}/claim`)).status).toBe(404);
    expect((await outsider.get(`/api/v1/process-instances/${instance.id}`)).status).toBe(404);

    // Two candidates claim at the same moment: exactly one wins.
    const claims = await Promise.all([
      operator.post(`/api/v1/tasks/${esamina!.id}/claim`),
      colleague.post(`/api/v1/tasks/${esamina!.id}/claim`),
    ]);
    expect(claims.map((res) => res.status).sort()).toEqual([200, 409]);
    const [winner, loser] = claims[0].status === 200 ? [operator, colleague] : [colleague, operator];
    expect((await loser.post(`/api/v1/tasks/${esamina!.id}/complete`, { data: { esito: 'approvata' } })).status).toBe(409);

    // Release gives it back; the other candidate can then take it.
    expect((await winner.post(`/api/v1/tasks/${esamina!.id}/release`).expect(200)).body).toMatchObject({ state: 'open', assignee: null });
    expect((await operator.post(`/api/v1/tasks/${esamina!.id}/claim`).expect(200)).body).toMatchObject({
      state: 'claimed',
      assignee: operatorId,
    });

    const done = await operator
      .post(`/api/v1/tasks/${esamina!.id}/complete`, { data: { esito: 'approvata', nota: 'tutto in ordine' } })
      .expect(200);
    expect(done.body).toEqual({ id: esamina!.id, state: 'completed', processInstance: { id: instance.id, status: 'waiting' } });
    expect((await operator.post(`/api/v1/tasks/${esamina!.id}/complete`, { data: {} })).status).toBe(409);

    const after = (await admin.get(`/api/v1/process-instances/${instance.id}`).expect(200)).body as Record<string, unknown>;
    expect(after).toMatchObject({
      activeElements: ['Approva'],
      variables: { protocollo: 42, esito: 'approvata', nota: 'tutto in ordine' },
    });
    expect(await tasksOf(operator, instance.id)).toEqual([]);
    const [approva] = await tasksOf(manager, instance.id);
    expect(approva).toMatchObject({ name: 'Approva', candidateGroups: managers, state: 'open', priority: 50 });

    await manager.post(`/api/v1/tasks/${approva!.id}/claim`).expect(200);
    expect((await tasksOf(manager, instance.id, 'claimed'))[0]).toMatchObject({ id: approva!.id, assignee: managerId });
    const last = await manager.post(`/api/v1/tasks/${approva!.id}/complete`, { data: {} }).expect(200);
    expect((last.body as { processInstance: unknown }).processInstance).toEqual({ id: instance.id, status: 'completed' });
    expect((await admin.get(`/api/v1/process-instances/${instance.id}`).expect(200)).body).toMatchObject({
      status: 'completed',
      activeElements: [],
    });
    expect((await tasksOf(manager, instance.id, 'completed'))[0]).toMatchObject({ id: approva!.id, state: 'completed' });

    type Entries = { entries: { action: string; resource: { id: string } | null }[] };
    const audit = (await admin.get(`/api/v1/audit?resourceId=${esamina!.id}`).expect(200)).body as Entries;
    const onTask = audit.entries.map((entry) => entry.action);
    expect(onTask).toEqual(expect.arrayContaining(['task.claimed', 'task.released', 'task.completed']));
    const started = (await admin.get(`/api/v1/audit?resourceId=${instance.id}`).expect(200)).body as Entries;
    expect(started.entries.map((entry) => entry.action)).toEqual(['process.started']);
  });

  it('ends at once when the reviewer does not approve', async () => {
    const instance = await start(`PEC-${tag}-2`);
    const [esamina] = await tasksOf(operator, instance.id);
    await operator.post(`/api/v1/tasks/${esamina!.id}/claim`).expect(200);
    const done = await operator.post(`/api/v1/tasks/${esamina!.id}/complete`, { data: { esito: 'respinta' } }).expect(200);
    expect((done.body as { processInstance: unknown }).processInstance).toEqual({ id: instance.id, status: 'completed' });
    expect(await tasksOf(manager, instance.id)).toEqual([]);
  });

  it('deploys a user task naming nobody with a warning, and gives it to the admins, who hand it on among themselves', async () => {
    const anonymous = `anonimo-${tag}`;
    const deployed = await admin
      .upload('/api/v1/process-definitions', Buffer.from(minimalBpmn(anonymous, { candidateGroups: '' })), 'anonimo.bpmn')
      .set('Accept-Language', 'en')
      .expect(201);
    expect(deployed.body).toEqual({
      key: anonymous,
      version: 1,
      warnings: [
        { elementId: 'Esamina', elementName: 'Esamina la PEC', message: expect.stringContaining('workspace administrators') as string },
      ],
    });
    const other = await createUser(t.app, 'demo', { roles: ['admin'] });
    const { id } = (await admin.post('/api/v1/process-instances', { definitionKey: anonymous }).expect(201)).body as { id: string };
    const [task] = await tasksOf(admin, id);
    expect(task).toMatchObject({ elementId: 'Esamina', state: 'open' });
    expect(await tasksOf(operator, id)).toEqual([]);
    await admin.post(`/api/v1/tasks/${task!.id}/claim`).expect(200);
    // The admins are its candidates: another admin may take it over, an operator may not.
    expect((await admin.post(`/api/v1/tasks/${task!.id}/delegate`, { email: other.email })).body).toMatchObject({ assignee: other.id });
    const otherAdmin = await signIn(other.email, other.password);
    expect((await otherAdmin.post(`/api/v1/tasks/${task!.id}/delegate`, { userId: operatorId })).status).toBe(422);
    const done = await otherAdmin.post(`/api/v1/tasks/${task!.id}/complete`, { data: {} }).expect(200);
    expect((done.body as { processInstance: unknown }).processInstance).toEqual({ id, status: 'completed' });
  });

  it('validates the start and refuses users without reach', async () => {
    expect((await admin.post('/api/v1/process-instances', { definitionKey: `nessuno-${tag}` })).status).toBe(422);
    expect((await admin.post('/api/v1/process-instances', { variables: [] })).status).toBe(400);
    expect((await admin.get('/api/v1/tasks?state=strano')).status).toBe(400);
    expect((await admin.get('/api/v1/process-instances/non-un-uuid')).status).toBe(404);
    expect((await admin.post('/api/v1/tasks/00000000-0000-4000-8000-000000000000/claim')).status).toBe(404);
  });

  it('refuses a step the runtime does not run, and fails an older version that reaches one, with the reason stored', async () => {
    const serviceKey = `servizio-${tag}`;
    const refused = await admin
      .upload('/api/v1/process-definitions', Buffer.from(serviceBpmn(serviceKey)), 'servizio.bpmn')
      .set('Accept-Language', 'en')
      .expect(422);
    expect((refused.body as { errors: unknown[] }).errors).toEqual([
      {
        elementId: 'Invia',
        elementName: 'Decidi la classificazione',
        message: 'Business rule tasks (DMN) are not run: decide with an exclusive gateway and ${ … } conditions on its flows.',
      },
    ]);
    // A version deployed before deploying refused such steps is still in the database: it fails cleanly.
    await t.app.get(DataSource).query(
      `INSERT INTO process_definitions (tenant_id, key, version, content_hash, bpmn)
       SELECT id, $1, 1, encode(sha256(convert_to($2, 'UTF8')), 'hex'), $2 FROM tenants WHERE slug = 'demo'`,
      [serviceKey, serviceBpmn(serviceKey)],
    );
    const res = await admin.post('/api/v1/process-instances', { definitionKey: serviceKey }).expect(201);
    expect(res.body).toMatchObject({ status: 'failed' });
    const view = (await admin.get(`/api/v1/process-instances/${(res.body as { id: string }).id}`).expect(200)).body as { failure: string };
    expect(view.failure).toContain('Invia');
  });

  it('continues an instance from PostgreSQL in a new application instance', async () => {
    const instance = await start(`PEC-${tag}-3`);
    const [esamina] = await tasksOf(operator, instance.id);
    await operator.post(`/api/v1/tasks/${esamina!.id}/claim`).expect(200);
    // Nothing of the first process survives but the database: a new app hydrates the instance from its saved state.
    await t.close();
    t = await startTestApp();
    [admin, operator, manager] = [rebind(admin), rebind(operator), rebind(manager)];
    await operator.post(`/api/v1/tasks/${esamina!.id}/complete`, { data: { esito: 'approvata' } }).expect(200);
    expect((await admin.get(`/api/v1/process-instances/${instance.id}`).expect(200)).body).toMatchObject({
      status: 'waiting',
      activeElements: ['Approva'],
    });
    const [approva] = await tasksOf(manager, instance.id);
    await manager.post(`/api/v1/tasks/${approva!.id}/claim`).expect(200);
    await manager.post(`/api/v1/tasks/${approva!.id}/complete`).expect(200);
    expect((await admin.get(`/api/v1/process-instances/${instance.id}`).expect(200)).body).toMatchObject({ status: 'completed' });
  });
});
