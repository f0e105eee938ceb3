import { ApiClient } from '../support/api-client.js';
import { bpmnHead, minimalBpmn } from '../support/bpmn.js';
import { deploy, startInstance, taskOf, testOffice } from '../support/process-api.js';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';
import { signIn, WebClient } from '../support/web-client.js';
import { eventually } from '../support/eventually.js';

const tag = Date.now().toString(36);
const { office, operators } = testOffice(tag);

/** A message start event → Esamina: the start page does not offer it. */
function messageStartBpmn(key: string): string {
  return `${bpmnHead(key)}
  <bpmn:message id="Msg_${key}" name="Arrivo-${key}" />
  <bpmn:process id="${key}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1"><bpmn:messageEventDefinition id="Med_1" messageRef="Msg_${key}" /></bpmn:startEvent>
    <bpmn:userTask id="Esamina" name="Esamina" camunda:candidateGroups="${operators}" />
    <bpmn:endEvent id="EndEvent_1" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Esamina" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Esamina" targetRef="EndEvent_1" />
  </bpmn:process>
</bpmn:definitions>
`;
}

/** Esamina → wait for a message → Copia (set-variables: copia = ${testo}) → Archivia. */
function largeBpmn(key: string): string {
  return `${bpmnHead(key)}
  <bpmn:message id="Msg_${key}" name="Ricevuta-${key}" />
  <bpmn:process id="${key}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
    <bpmn:userTask id="Esamina" name="Esamina" camunda:candidateGroups="${operators}" />
    <bpmn:intermediateCatchEvent id="Ricevuta"><bpmn:messageEventDefinition id="Med_1" messageRef="Msg_${key}" /></bpmn:intermediateCatchEvent>
    <bpmn:serviceTask id="Copia" name="Copia" camunda:type="external" camunda:topic="set-variables">
      <bpmn:extensionElements><camunda:inputOutput><camunda:inputParameter name="copia">\${testo}</camunda:inputParameter></camunda:inputOutput></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:userTask id="Archivia" name="Archivia" camunda:candidateGroups="${operators}" />
    <bpmn:endEvent id="EndEvent_1" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Esamina" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Esamina" targetRef="Ricevuta" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Ricevuta" targetRef="Copia" />
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Copia" targetRef="Archivia" />
    <bpmn:sequenceFlow id="Flow_5" sourceRef="Archivia" targetRef="EndEvent_1" />
  </bpmn:process>
</bpmn:definitions>
`;
}

interface InstanceBody {
  status: string;
  activeElements: string[];
  variables: Record<string, unknown>;
  incidents: { elementId: string; error: string }[];
}

describe('process variables: searched by value, kept small; processes started from the page', () => {
  let t: TestApp;
  let admin: ApiClient;
  let operator: ApiClient;
  let operatorEmail: string;
  let operatorPassword: string;
  let adminWeb: () => Promise<WebClient>;
  const saved = process.env.PROCESS_VARIABLES_MAX_BYTES;
  const LIMIT = 2048;

  const start = (definitionKey: string, businessKey: string, variables: Record<string, unknown>) =>
    startInstance(admin, definitionKey, businessKey, variables);
  const instance = async (id: string) => (await admin.get(`/api/v1/process-instances/${id}`).expect(200)).body as InstanceBody;
  const search = async (query: string) =>
    ((await admin.get(`/api/v1/process-instances?${query}`).expect(200)).body as { instances: { id: string }[] }).instances
      .map((row) => row.id)
      .sort();
  beforeAll(async () => {
    process.env.PROCESS_VARIABLES_MAX_BYTES = String(LIMIT);
    t = await startTestApp();
    const adminUser = await createUser(t.app, 'demo', { roles: ['admin'] });
    const operatorUser = await createUser(t.app, 'demo', { grants: [{ role: 'operator', office }] });
    operatorEmail = operatorUser.email;
    operatorPassword = operatorUser.password;
    admin = await ApiClient.signIn(t.app.getHttpServer(), 'demo.localhost', adminUser.email, adminUser.password);
    adminWeb = async () => {
      const web = new WebClient(t.app.getHttpServer(), 'demo.localhost');
      await signIn(web, adminUser.email, adminUser.password);
      return web;
    };
    operator = await ApiClient.signIn(t.app.getHttpServer(), 'demo.localhost', operatorUser.email, operatorUser.password);
  });
  afterAll(async () => {
    await t.close();
    if (saved === undefined) delete process.env.PROCESS_VARIABLES_MAX_BYTES;
    else process.env.PROCESS_VARIABLES_MAX_BYTES = saved;
  });

  it('finds instances by variables, matching numbers and booleans stored as JSON or as text', async () => {
    const key = `cerca-${tag}`;
    await deploy(admin, key, minimalBpmn(key, { candidateGroups: operators }));
    const approved = await start(key, `A-${tag}`, { esito: 'approvata', importo: 42, urgente: true });
    const refused = await start(key, `B-${tag}`, { esito: 'respinta', importo: '42', urgente: 'no' });
    const other = await start(key, `C-${tag}`, { esito: 'approvata ', importo: 420 });

    expect(await search(`definitionKey=${key}&var.esito=approvata`)).toEqual([approved]);
    expect(await search(`definitionKey=${key}&var.importo=42`)).toEqual([approved, refused].sort());
    expect(await search(`definitionKey=${key}&var.urgente=true`)).toEqual([approved]);
    expect(await search(`definitionKey=${key}&var.esito=approvata&var.importo=420`)).toEqual([]);
    expect(await search(`definitionKey=${key}&var.esito=${encodeURIComponent('approvata ')}&var.importo=420`)).toEqual([other]);
    expect(await search(`definitionKey=${key}&var.nessuna=approvata`)).toEqual([]);
    const refusedQuery = await admin.get('/api/v1/process-instances?var.esito-finale=x').expect(400);
    expect(refusedQuery.body).toMatchObject({ type: 'urn:pecflow:problem:validation' });
    // The operator sees only their own starts, with or without a variable filter.
    expect(((await operator.get('/api/v1/process-instances?var.esito=approvata').expect(200)).body as { instances: [] }).instances).toEqual(
      [],
    );

    const page = await (await adminWeb()).get(`/processes?definitionKey=${key}&varName=esito&varValue=approvata`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`/processes/${approved}`);
    expect(page.text).not.toContain(`/processes/${refused}`);
    expect(page.text).not.toContain(`/processes/${other}`);
  });

  it('refuses variables over PROCESS_VARIABLES_MAX_BYTES on start, completion and message delivery, changing nothing', async () => {
    const key = `grande-${tag}`;
    await deploy(admin, key, largeBpmn(key));
    const big = 'x'.repeat(LIMIT);

    const refusedStart = await admin
      .post('/api/v1/process-instances', { definitionKey: key, businessKey: `G0-${tag}`, variables: { testo: big } })
      .expect(413);
    expect(refusedStart.body).toMatchObject({ type: 'urn:pecflow:problem:too-large' });
    expect((refusedStart.body as { detail: string }).detail).toContain(String(LIMIT));
    expect(await search(`businessKey=G0-${tag}`)).toEqual([]);

    const id = await start(key, `G1-${tag}`, { testo: 'breve' });
    const task = await taskOf(t.app, id, 'Esamina');
    await operator.post(`/api/v1/tasks/${task.id}/claim`).expect(200);
    const refusedCompletion = await operator.post(`/api/v1/tasks/${task.id}/complete`, { data: { nota: big } }).expect(413);
    expect(refusedCompletion.body).toMatchObject({ type: 'urn:pecflow:problem:too-large' });
    expect(await taskOf(t.app, id, 'Esamina')).toMatchObject({ state: 'claimed' });
    expect(await instance(id)).toMatchObject({ activeElements: ['Esamina'], variables: { testo: 'breve' } });

    await operator.post(`/api/v1/tasks/${task.id}/complete`, { data: {} }).expect(200);
    const message = { messageName: `Ricevuta-${key}`, businessKey: `G1-${tag}` };
    await admin.post('/api/v1/process-messages', { ...message, variables: { corpo: big } }).expect(413);
    expect(await instance(id)).toMatchObject({ activeElements: ['Ricevuta'], variables: { testo: 'breve' } });

    // Under the limit on delivery, over it once the service task copies it: the call becomes an incident.
    const half = 'y'.repeat(LIMIT / 2 + 100);
    await admin.post('/api/v1/process-messages', { ...message, variables: { testo: half } }).expect(200);
    const stuck = await eventually(async () => {
      const body = await instance(id);
      return body.incidents.length > 0 && body;
    });
    expect(stuck).toMatchObject({ status: 'waiting', activeElements: ['Copia'], variables: { testo: half } });
    expect(stuck.variables).not.toHaveProperty('copia');
    expect(stuck.incidents[0]).toMatchObject({ elementId: 'Copia' });
    expect(stuck.incidents[0]!.error).toContain('PROCESS_VARIABLES_MAX_BYTES');
  });

  it('starts a process from the page: plain start events only, errors in the user language, then the instance page', async () => {
    const key = `avvio-${tag}`;
    const messageKey = `avvio-messaggio-${tag}`;
    await deploy(admin, key, minimalBpmn(key, { candidateGroups: operators }));
    await deploy(admin, messageKey, messageStartBpmn(messageKey));
    const web = new WebClient(t.app.getHttpServer(), 'demo.localhost');
    await signIn(web, operatorEmail, operatorPassword);

    expect((await web.get('/processes')).text).toContain('href="/processes/new"');
    const form = await web.get('/processes/new');
    expect(form.status).toBe(200);
    expect(form.text).toContain(`value="${key}"`);
    expect(form.text).not.toContain(`value="${messageKey}"`);

    const bypass = await web.send('/processes/new', { definitionKey: messageKey });
    expect(bypass.status).toBe(422);
    expect(bypass.text).toContain('Scegli uno dei processi elencati.');
    const badName = await web.send('/processes/new', { definitionKey: key, name1: '1esito', value1: 'x' });
    expect(badName.status).toBe(422);
    expect(badName.text).toContain('identificatori semplici');
    expect(badName.text).toContain('value="1esito"');

    const english = new WebClient(t.app.getHttpServer(), 'demo.localhost', 'en');
    await signIn(english, operatorEmail, operatorPassword);
    await english.get('/processes/new');
    const tooLarge = await english.send('/processes/new', { definitionKey: key, name1: 'testo', value1: 'z'.repeat(LIMIT) });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.text).toContain('The variables are too large for a process');

    const started = await web.send('/processes/new', { definitionKey: key, businessKey: `PAGE-${tag}`, name1: 'pratica', value1: 'P-9' });
    expect(started.status).toBe(303);
    const location = started.headers.location as string;
    const id = /^\/processes\/([0-9a-f-]{36})\?started=1$/.exec(location)?.[1];
    expect(id).toBeDefined();
    const landing = await web.get(location);
    expect(landing.text).toContain('Processo avviato.');
    expect(await instance(id!)).toMatchObject({ status: 'waiting', activeElements: ['Esamina'], variables: { pratica: 'P-9' } });
    expect(await search(`var.pratica=P-9&businessKey=PAGE-${tag}`)).toEqual([id]);
  });
});
