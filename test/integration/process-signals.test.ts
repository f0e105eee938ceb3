import { DataSource } from 'typeorm';
import type { ApiClient } from '../support/api-client.js';
import { awaitedMessage, awaitedSignal, boundaryEventBpmn, bpmnHead, catchEventBpmn, eventStartBpmn } from '../support/bpmn.js';
import { completeTask, deploy, instanceOf, signIn, startInstance, taskOf, testOffice } from '../support/process-api.js';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';
import { eventually } from '../support/eventually.js';

const tag = Date.now().toString(36);
const { office, operators, managers } = testOffice(tag);

/** Invia (operators) → wait for the signal → Archivia. */
function catchBpmn(key: string, name: string): string {
  return catchEventBpmn(key, awaitedSignal(key, name), { id: 'Invia', candidates: operators }, 'Attesa', {
    id: 'Archivia',
    candidates: operators,
  });
}

/** Esamina with a signal boundary event (interrupting or not) → Sospesa. */
function boundaryBpmn(key: string, name: string, interrupting: boolean): string {
  return boundaryEventBpmn(
    key,
    awaitedSignal(key, name),
    { id: 'Esamina', candidates: operators },
    { id: 'Blocco', interrupting },
    { id: 'Sospesa', candidates: managers },
  );
}

/** A signal start event → Verifica. */
function startBpmn(key: string, name: string): string {
  return eventStartBpmn(key, awaitedSignal(key, name), { id: 'Verifica', candidates: operators });
}

/** An event-based gateway: the signal or a message, whichever comes first. */
function raceBpmn(key: string, name: string): string {
  const [signal, message] = [awaitedSignal(key, name), awaitedMessage(key, `Risposta-${key}`)];
  return `${bpmnHead(key)}
  ${signal.declaration}
  ${message.declaration}
  <bpmn:process id="${key}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
    <bpmn:eventBasedGateway id="Gateway_1" />
    <bpmn:intermediateCatchEvent id="Segnale">${signal.definition}</bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="Risposta">${message.definition}</bpmn:intermediateCatchEvent>
    <bpmn:userTask id="Chiudi" name="Chiudi" camunda:candidateGroups="${operators}" />
    <bpmn:userTask id="Leggi" name="Leggi" camunda:candidateGroups="${operators}" />
    <bpmn:endEvent id="EndEvent_1" />
    <bpmn:endEvent id="EndEvent_2" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Gateway_1" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Gateway_1" targetRef="Segnale" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Gateway_1" targetRef="Risposta" />
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Segnale" targetRef="Chiudi" />
    <bpmn:sequenceFlow id="Flow_5" sourceRef="Risposta" targetRef="Leggi" />
    <bpmn:sequenceFlow id="Flow_6" sourceRef="Chiudi" targetRef="EndEvent_1" />
    <bpmn:sequenceFlow id="Flow_7" sourceRef="Leggi" targetRef="EndEvent_2" />
  </bpmn:process>
</bpmn:definitions>
`;
}

/** Two branches: one catches the signal, the other throws it once Decidi is completed. */
function throwBpmn(key: string, name: string): string {
  const signal = awaitedSignal(key, name);
  return `${bpmnHead(key)}
  ${signal.declaration}
  <bpmn:process id="${key}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
    <bpmn:parallelGateway id="Fork" />
    <bpmn:intermediateCatchEvent id="Attesa">${signal.definition}</bpmn:intermediateCatchEvent>
    <bpmn:userTask id="Ricevuto" name="Ricevuto" camunda:candidateGroups="${operators}" />
    <bpmn:userTask id="Decidi" name="Decidi" camunda:candidateGroups="${operators}" />
    <bpmn:intermediateThrowEvent id="Lancia"><bpmn:signalEventDefinition id="Sed_2" signalRef="Sig_${key}" /></bpmn:intermediateThrowEvent>
    <bpmn:endEvent id="EndEvent_1" />
    <bpmn:endEvent id="EndEvent_2" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Fork" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Fork" targetRef="Attesa" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Fork" targetRef="Decidi" />
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Attesa" targetRef="Ricevuto" />
    <bpmn:sequenceFlow id="Flow_5" sourceRef="Ricevuto" targetRef="EndEvent_1" />
    <bpmn:sequenceFlow id="Flow_6" sourceRef="Decidi" targetRef="Lancia" />
    <bpmn:sequenceFlow id="Flow_7" sourceRef="Lancia" targetRef="EndEvent_2" />
  </bpmn:process>
</bpmn:definitions>
`;
}

interface Broadcast {
  reached: string[];
  started: string[];
  duplicate: boolean;
}

describe('BPMN signals (POST /api/v1/process-signals)', () => {
  let t: TestApp;
  let admin: ApiClient;
  let operator: ApiClient;
  let acmeAdmin: ApiClient;
  const start = (client: ApiClient, key: string, businessKey: string) => startInstance(client, key, businessKey, { a: 1 });
  const instance = instanceOf;
  const db = () => t.app.get(DataSource);
  const send = async (client: ApiClient, body: object, status = 200) =>
    (await client.post('/api/v1/process-signals', body).expect(status)).body as Broadcast;

  beforeAll(async () => {
    t = await startTestApp();
    const users = {
      admin: await createUser(t.app, 'demo', { roles: ['admin'] }),
      operator: await createUser(t.app, 'demo', { grants: [{ role: 'operator', office }] }),
      acme: await createUser(t.app, 'acme', { roles: ['admin'] }),
    };
    admin = await signIn(t.app, users.admin);
    operator = await signIn(t.app, users.operator);
    acmeAdmin = await signIn(t.app, users.acme, 'acme.localhost');
  });
  afterAll(() => t.close());

  it('reaches every waiting instance of the workspace, never another tenant, and starts signal start processes', async () => {
    const key = `allerta-${tag}`;
    const starter = `allerta-avvio-${tag}`;
    const name = `Allerta-${tag}`;
    await deploy(admin, key, catchBpmn(key, name));
    await deploy(admin, starter, startBpmn(starter, name));
    await deploy(acmeAdmin, key, catchBpmn(key, name));
    const first = await start(admin, key, `A-${tag}`);
    const second = await start(admin, key, `B-${tag}`);
    const notYet = await start(admin, key, `C-${tag}`);
    const acme = await start(acmeAdmin, key, `A-${tag}`);
    for (const id of [first, second]) {
      await completeTask(operator, (await taskOf(t.app, id, 'Invia')).id);
    }
    await completeTask(acmeAdmin, (await taskOf(t.app, acme, 'Invia')).id);
    expect((await instance(acmeAdmin, acme)).activeElements).toEqual(['Attesa']);

    await send(operator, { signalName: name }, 403);
    const answer = await send(admin, { signalName: name, variables: { allerta: 'rossa' }, signalId: `s1-${tag}` });
    expect(answer.reached).toEqual([first, second].sort());
    expect(answer.started).toHaveLength(1);
    expect(answer.duplicate).toBe(false);
    for (const id of [first, second]) {
      expect(await instance(admin, id)).toMatchObject({ activeElements: ['Archivia'], variables: { a: 1, allerta: 'rossa' } });
      expect(await taskOf(t.app, id, 'Archivia')).toMatchObject({ state: 'open' });
    }
    expect((await instance(admin, notYet)).activeElements).toEqual(['Invia']);
    expect(await instance(admin, answer.started[0]!)).toMatchObject({ activeElements: ['Verifica'], variables: { allerta: 'rossa' } });
    // acme's instance waits on a signal of the same name: demo's broadcast does not reach it.
    expect((await instance(acmeAdmin, acme)).activeElements).toEqual(['Attesa']);
    const history = (await admin.get(`/api/v1/process-instances/${first}/history`).expect(200)).body as { history: { event: string }[] };
    expect(history.history.map((line) => line.event)).toContain('signal-received');

    // The same signalId again: the first answer, nothing moves, nothing starts.
    const again = await send(admin, { signalName: name, variables: { allerta: 'verde' }, signalId: `s1-${tag}` });
    expect(again).toEqual({ ...answer, duplicate: true });
    expect(await instance(admin, first)).toMatchObject({ activeElements: ['Archivia'], variables: { allerta: 'rossa' } });
    const started = await db().query<{ n: string }[]>(
      `SELECT count(*) AS n FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id WHERE d.key = $1`,
      [starter],
    );
    expect(started[0]!.n).toBe('1');

    // Nobody waits any more (the starter process still starts): a broadcast is no error.
    const later = await send(admin, { signalName: `Nessuno-${tag}` });
    expect(later).toEqual({ reached: [], started: [], duplicate: false });
  });

  it('an interrupting boundary signal cancels the task; a non-interrupting one keeps it', async () => {
    const name = `Sospensione-${tag}`;
    const hard = `blocco-${tag}`;
    const soft = `avviso-${tag}`;
    await deploy(admin, hard, boundaryBpmn(hard, name, true));
    await deploy(admin, soft, boundaryBpmn(soft, name, false));
    const interrupted = await start(admin, hard, `H-${tag}`);
    const kept = await start(admin, soft, `S-${tag}`);
    const answer = await send(admin, { signalName: name });
    expect(answer.reached).toEqual([interrupted, kept].sort());
    expect((await instance(admin, interrupted)).activeElements).toEqual(['Sospesa']);
    expect(await taskOf(t.app, interrupted, 'Esamina')).toMatchObject({ state: 'cancelled' });
    expect((await instance(admin, kept)).activeElements).toEqual(['Esamina', 'Sospesa']);
    expect(await taskOf(t.app, kept, 'Esamina')).toMatchObject({ state: 'open' });
  });

  it('takes the signal branch of an event-based gateway', async () => {
    const key = `gara-${tag}`;
    const name = `Chiusura-${tag}`;
    await deploy(admin, key, raceBpmn(key, name));
    const id = await start(admin, key, `G-${tag}`);
    expect((await instance(admin, id)).activeElements).toEqual(['Gateway_1', 'Risposta', 'Segnale']);
    expect((await send(admin, { signalName: name })).reached).toEqual([id]);
    expect((await instance(admin, id)).activeElements).toEqual(['Chiudi']);
    // The message branch is gone with the gateway's decision.
    await admin.post('/api/v1/process-messages', { messageName: `Risposta-${key}`, businessKey: `G-${tag}` }).expect(404);
  });

  it('a signal thrown by an instance reaches its own catches at once, then the workspace through a relay job', async () => {
    const key = `lancio-${tag}`;
    const name = `Lancio-${tag}`;
    await deploy(admin, key, throwBpmn(key, name));
    const thrower = await start(admin, key, `T1-${tag}`);
    const bystander = await start(admin, key, `T2-${tag}`);
    expect((await instance(admin, thrower)).activeElements).toEqual(['Attesa', 'Decidi']);
    await completeTask(operator, (await taskOf(t.app, thrower, 'Decidi')).id);
    // The thrower's own catch moved in the step that threw, and only once (the relay skips the thrower).
    expect((await instance(admin, thrower)).activeElements).toEqual(['Ricevuto']);
    const relayed = await eventually(async () => {
      const rows = await db().query<{ state: string }[]>(`SELECT state FROM thrown_signals WHERE instance_id = $1`, [thrower]);
      return rows.length === 1 && rows[0]!.state === 'relayed' && rows;
    });
    expect(relayed).toHaveLength(1);
    expect((await instance(admin, bystander)).activeElements).toEqual(['Decidi', 'Ricevuto']);
    expect(await taskOf(t.app, thrower, 'Ricevuto')).toMatchObject({ state: 'open' });
    const ricevuti = await db().query<{ n: string }[]>(
      `SELECT count(*) AS n FROM tasks WHERE instance_id = $1 AND element_id = 'Ricevuto'`,
      [thrower],
    );
    expect(ricevuti[0]!.n).toBe('1');
  });

  it('refuses a signal event without a named signal at deploy time', async () => {
    const key = `anonimo-${tag}`;
    const xml = catchBpmn(key, 'x').replace(` signalRef="Sig_${key}"`, '');
    const refused = await admin.upload('/api/v1/process-definitions', Buffer.from(xml), 'anonimo.bpmn').expect(422);
    expect(JSON.stringify(refused.body)).toContain('Attesa');
  });
});
