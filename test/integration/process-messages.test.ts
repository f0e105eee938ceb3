import type { ApiClient } from '../support/api-client.js';
import { awaitedMessage, boundaryEventBpmn, catchEventBpmn, eventStartBpmn } from '../support/bpmn.js';
import { completeTask, deploy, instanceOf, signIn, startInstance, taskOf, testOffice } from '../support/process-api.js';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';

const tag = Date.now().toString(36);
const { office, operators, managers } = testOffice(tag);

/** Invia (operators) → wait for the delivery receipt → Archivia (managers). */
function catchBpmn(key: string, message: string): string {
  return catchEventBpmn(key, awaitedMessage(key, message), { id: 'Invia', candidates: operators }, 'Ricevuta', {
    id: 'Archivia',
    candidates: managers,
  });
}

/** Esamina with an interrupting message boundary event → Annullata. */
function boundaryBpmn(key: string, message: string): string {
  return boundaryEventBpmn(
    key,
    awaitedMessage(key, message),
    { id: 'Esamina', candidates: operators },
    { id: 'Annulla', interrupting: true },
    { id: 'Annullata', candidates: managers },
  );
}

/** A message start event → Esamina. */
function startBpmn(key: string, message: string): string {
  return eventStartBpmn(key, awaitedMessage(key, message), { id: 'Esamina', candidates: operators });
}

interface Correlation {
  correlated: string[];
  started: string[];
  duplicate: boolean;
}

describe('message correlation (POST /api/v1/process-messages)', () => {
  let t: TestApp;
  let admin: ApiClient;
  let operator: ApiClient;
  let acmeAdmin: ApiClient;
  const instance = (id: string) => instanceOf(admin, id);
  const start = (key: string, businessKey: string) => startInstance(admin, key, businessKey, { a: 1 });
  const completeFirst = async (instanceId: string) => completeTask(operator, (await taskOf(t.app, instanceId, 'Invia')).id);

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

  it('moves on only the instance with the business key, merges variables, and ignores a redelivery', async () => {
    const key = `ricevuta-${tag}`;
    const name = `RicevutaConsegna-${tag}`;
    await deploy(admin, key, catchBpmn(key, name));
    const first = await start(key, `PEC-1-${tag}`);
    const second = await start(key, `PEC-2-${tag}`);
    await completeFirst(first);
    await completeFirst(second);
    expect((await instance(first)).activeElements).toEqual(['Ricevuta']);

    // Another tenant never reaches demo's instance.
    await acmeAdmin.post('/api/v1/process-messages', { messageName: name, businessKey: `PEC-1-${tag}` }).expect(404);

    const body = { messageName: name, businessKey: `PEC-1-${tag}`, variables: { esito: 'consegnata' }, messageId: `<m1-${tag}@pec>` };
    const answer = (await admin.post('/api/v1/process-messages', body).expect(200)).body as Correlation;
    expect(answer).toEqual({ correlated: [first], started: [], duplicate: false });
    expect(await instance(first)).toMatchObject({ activeElements: ['Archivia'], variables: { a: 1, esito: 'consegnata' } });
    expect(await taskOf(t.app, first, 'Archivia')).toMatchObject({ state: 'open' });
    expect((await instance(second)).activeElements).toEqual(['Ricevuta']);

    const again = (await admin.post('/api/v1/process-messages', { ...body, variables: { esito: 'altro' } }).expect(200))
      .body as Correlation;
    expect(again).toEqual({ correlated: [first], started: [], duplicate: true });
    expect(await instance(first)).toMatchObject({ activeElements: ['Archivia'], variables: { a: 1, esito: 'consegnata' } });

    const unknown = await admin.post('/api/v1/process-messages', { messageName: name, businessKey: `nessuno-${tag}` }).expect(404);
    expect(unknown.body).toMatchObject({ type: 'urn:pecflow:problem:no-waiting-instance' });
    await operator.post('/api/v1/process-messages', { messageName: name, businessKey: `PEC-2-${tag}` }).expect(403);
  });

  it('an interrupting message boundary event cancels the task it is attached to', async () => {
    const key = `annullo-${tag}`;
    const name = `Annullamento-${tag}`;
    await deploy(admin, key, boundaryBpmn(key, name));
    const id = await start(key, `A-${tag}`);
    const answer = (await admin.post('/api/v1/process-messages', { messageName: name, businessKey: `A-${tag}` }).expect(200))
      .body as Correlation;
    expect(answer.correlated).toEqual([id]);
    expect((await instance(id)).activeElements).toEqual(['Annullata']);
    expect(await taskOf(t.app, id, 'Esamina')).toMatchObject({ state: 'cancelled' });
  });

  it('a message start event starts an instance with the business key', async () => {
    const key = `avvio-${tag}`;
    const name = `NuovaPec-${tag}`;
    await deploy(admin, key, startBpmn(key, name));
    const answer = (
      await admin.post('/api/v1/process-messages', { messageName: name, businessKey: `S-${tag}`, variables: { b: 2 } }).expect(200)
    ).body as Correlation;
    expect(answer.correlated).toEqual([]);
    expect(answer.started).toHaveLength(1);
    expect(await instance(answer.started[0]!)).toMatchObject({ status: 'waiting', activeElements: ['Esamina'], variables: { b: 2 } });
  });

  it('refuses a message catch without a named message', async () => {
    const bpmn = catchBpmn(`senza-${tag}`, '');
    await admin.upload('/api/v1/process-definitions', Buffer.from(bpmn), 'senza.bpmn').expect(422);
  });
});
