import { DataSource } from 'typeorm';
import { TenantContext } from '../../src/db/tenant-context.js';
import { Tenant } from '../../src/tenancy/tenant.entity.js';
import { PlugInvocation } from '../../src/plugs/plug-invocation.js';
import type { ApiClient } from '../support/api-client.js';
import { bpmnHead } from '../support/bpmn.js';
import { countMail, startLocalMail, waitForMail } from '../support/local-mail.js';
import { deploy as deployAs, signIn, startInstance, testOffice } from '../support/process-api.js';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';
import { eventually } from '../support/eventually.js';

const tag = Date.now().toString(36);
const { operators, managers } = testOffice(tag);

/** io parameters of a service task, as Camunda Modeler writes them. */
const io = (inputs: Record<string, string>, outputs: Record<string, string> = {}) =>
  `<bpmn:extensionElements><camunda:inputOutput>${Object.entries(inputs)
    .map(([name, value]) => `<camunda:inputParameter name="${name}">${value}</camunda:inputParameter>`)
    .join('')}${Object.entries(outputs)
    .map(([name, value]) => `<camunda:outputParameter name="${name}">${value}</camunda:outputParameter>`)
    .join('')}</camunda:inputOutput></bpmn:extensionElements>`;

/**
 * Avvisa (notify, to ${destinatario}) → Registra (set-variables) → Esamina (user task) → end; Avvisa
 * has an error boundary on `no-recipients` that leads to Assegna (a user task for someone to pick up).
 */
function noticeBpmn(key: string): string {
  return `${bpmnHead(key)}
  <bpmn:error id="Error_nessuno" name="Nessun destinatario" errorCode="no-recipients" />
  <bpmn:process id="${key}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
    <bpmn:serviceTask id="Avvisa" name="Avvisa l'ufficio" camunda:type="external" camunda:topic="notify">
      ${io(
        { to: '${destinatario}', subject: 'Pratica ${pratica} da esaminare', text: 'La pratica ${pratica} attende il vostro esame.' },
        { avvisati: '${notified}' },
      )}
    </bpmn:serviceTask>
    <bpmn:boundaryEvent id="Nessuno" attachedToRef="Avvisa"><bpmn:errorEventDefinition errorRef="Error_nessuno" /></bpmn:boundaryEvent>
    <bpmn:sendTask id="Registra" name="Registra" camunda:type="external" camunda:topic="set-variables">
      ${io({ esito: 'avvisato', priorita: '${importo > 1000 ? "alta" : "normale"}' })}
    </bpmn:sendTask>
    <bpmn:userTask id="Esamina" name="Esamina" camunda:candidateGroups="${operators}" />
    <bpmn:userTask id="Assegna" name="Assegna a mano" camunda:candidateGroups="${managers}" />
    <bpmn:endEvent id="EndEvent_1" />
    <bpmn:endEvent id="EndEvent_2" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Avvisa" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Avvisa" targetRef="Registra" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Registra" targetRef="Esamina" />
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Esamina" targetRef="EndEvent_1" />
    <bpmn:sequenceFlow id="Flow_5" sourceRef="Nessuno" targetRef="Assegna" />
    <bpmn:sequenceFlow id="Flow_6" sourceRef="Assegna" targetRef="EndEvent_2" />
  </bpmn:process>
</bpmn:definitions>
`;
}

/** Avvia (call-process of ${figlio}) → Attendi (user task) → end; no boundary: a failure is an incident. */
function parentBpmn(key: string): string {
  return `${bpmnHead(key)}
  <bpmn:process id="${key}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
    <bpmn:serviceTask id="Avvia" name="Avvia il fascicolo" camunda:type="external" camunda:topic="call-process">
      ${io({ processKey: '${figlio}', businessKey: '${pratica}' }, { fascicolo: '${calledInstanceId}' })}
    </bpmn:serviceTask>
    <bpmn:userTask id="Attendi" name="Attendi" camunda:candidateGroups="${operators}" />
    <bpmn:endEvent id="EndEvent_1" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Avvia" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Avvia" targetRef="Attendi" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Attendi" targetRef="EndEvent_1" />
  </bpmn:process>
</bpmn:definitions>
`;
}

/** A process to be called: one user task. */
function childBpmn(key: string): string {
  return `${bpmnHead(key)}
  <bpmn:process id="${key}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
    <bpmn:userTask id="Fascicola" name="Fascicola" camunda:candidateGroups="${operators}" />
    <bpmn:endEvent id="EndEvent_1" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Fascicola" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Fascicola" targetRef="EndEvent_1" />
  </bpmn:process>
</bpmn:definitions>
`;
}

/** Esamina with a PT1H boundary timer → Avvisa (notify ${responsabile}) → Sollecito: a timer escalation that sends a mail. */
function escalationNoticeBpmn(key: string): string {
  return `${bpmnHead(key)}
  <bpmn:process id="${key}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
    <bpmn:userTask id="Esamina" name="Esamina" camunda:candidateGroups="${operators}" />
    <bpmn:boundaryEvent id="Scadenza" attachedToRef="Esamina">
      <bpmn:timerEventDefinition id="Timer_1"><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:serviceTask id="Avvisa" name="Avvisa il responsabile" camunda:type="external" camunda:topic="notify">
      ${io({ to: '${responsabile}', subject: 'Sollecito ${pratica}', text: 'La pratica ${pratica} non è stata esaminata in tempo.' })}
    </bpmn:serviceTask>
    <bpmn:userTask id="Sollecito" name="Sollecito" camunda:candidateGroups="${managers}" />
    <bpmn:endEvent id="EndEvent_1" />
    <bpmn:endEvent id="EndEvent_2" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Esamina" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Esamina" targetRef="EndEvent_1" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Scadenza" targetRef="Avvisa" />
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Avvisa" targetRef="Sollecito" />
    <bpmn:sequenceFlow id="Flow_5" sourceRef="Sollecito" targetRef="EndEvent_2" />
  </bpmn:process>
</bpmn:definitions>
`;
}

interface InstanceBody {
  status: string;
  activeElements: string[];
  variables: Record<string, unknown>;
  incidents: { id: string; elementId: string; error: string }[];
}

interface IncidentBody {
  id: string;
  processInstanceId: string;
  elementId: string;
  topic: string;
  error: string;
  errorCode: string | null;
  attempts: number;
  state: string;
}

describe('service tasks through plugs: notify, set-variables, call-process, BPMN errors and incidents', () => {
  let t: TestApp;
  let mail: Awaited<ReturnType<typeof startLocalMail>>;
  let admin: ApiClient;
  const saved = {
    attempts: process.env.SERVICE_TASK_ATTEMPTS,
    backoff: process.env.SERVICE_TASK_BACKOFF_MS,
    clock: process.env.PROCESS_CLOCK_FACTOR,
  };

  const deploy = (key: string, xml: string) => deployAs(admin, key, xml);
  const start = (definitionKey: string, variables: Record<string, unknown>) =>
    startInstance(admin, definitionKey, `${definitionKey}-1`, variables);
  const instance = async (id: string) => (await admin.get(`/api/v1/process-instances/${id}`).expect(200)).body as InstanceBody;
  const waitingOn = (id: string, element: string) =>
    eventually(async () => {
      const body = await instance(id);
      return body.activeElements.includes(element) && body;
    });
  const incidentsOf = async (id: string) =>
    ((await admin.get(`/api/v1/process-incidents?processInstanceId=${id}`).expect(200)).body as { incidents: IncidentBody[] }).incidents;

  beforeAll(async () => {
    process.env.SERVICE_TASK_ATTEMPTS = '3';
    process.env.SERVICE_TASK_BACKOFF_MS = '50';
    // A PT1H timer's job runs after 1 s.
    process.env.PROCESS_CLOCK_FACTOR = '3600';
    mail = await startLocalMail();
    t = await startTestApp();
    const user = await createUser(t.app, 'demo', { roles: ['admin'] });
    admin = await signIn(t.app, user);
  });
  afterAll(async () => {
    await t.close();
    await mail.close();
    for (const [name, value] of [
      ['SERVICE_TASK_ATTEMPTS', saved.attempts],
      ['SERVICE_TASK_BACKOFF_MS', saved.backoff],
      ['PROCESS_CLOCK_FACTOR', saved.clock],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('notifies once by e-mail, maps the output, sets variables, then waits on the user task', async () => {
    const key = `avviso-${tag}`;
    const recipient = await createUser(t.app, 'demo', { roles: ['operator'] });
    const password = await mail.mailbox(recipient.email);
    await deploy(key, noticeBpmn(key));
    const id = await start(key, { destinatario: `user:${recipient.email}`, pratica: 'P-17', importo: 2500 });

    const waiting = await waitingOn(id, 'Esamina');
    expect(waiting).toMatchObject({ status: 'waiting', activeElements: ['Esamina'], incidents: [] });
    expect(waiting.variables).toMatchObject({ avvisati: 1, esito: 'avvisato', priorita: 'alta' });
    // notify's answer went through the output mapping only: nothing else of it became a variable.
    expect(waiting.variables).not.toHaveProperty('notified');
    const received = await waitForMail(recipient.email, password, /Pratica P-17 da esaminare/);
    expect(received.text).toContain('La pratica P-17 attende il vostro esame.');
    expect(await countMail(recipient.email, password, /Pratica P-17/)).toBe(1);
  });

  it('escalates on a boundary timer to a notify task: the manager gets one mail and the reminder task', async () => {
    const key = `sollecito-${tag}`;
    const manager = await createUser(t.app, 'demo', { roles: ['manager'] });
    const password = await mail.mailbox(manager.email);
    await deploy(key, escalationNoticeBpmn(key));
    const id = await start(key, { responsabile: `user:${manager.email}`, pratica: 'P-21' });
    expect((await instance(id)).activeElements).toEqual(['Esamina', 'Scadenza']);

    const escalated = await waitingOn(id, 'Sollecito');
    expect(escalated).toMatchObject({ status: 'waiting', activeElements: ['Sollecito'], incidents: [], variables: { notified: 1 } });
    const received = await waitForMail(manager.email, password, /Sollecito P-21/);
    expect(received.text).toContain('La pratica P-21 non è stata esaminata in tempo.');
    expect(await countMail(manager.email, password, /Sollecito P-21/)).toBe(1);
    const tasks = await t.app
      .get(DataSource)
      .query<{ element_id: string; state: string }[]>(`SELECT element_id, state FROM tasks WHERE instance_id = $1 ORDER BY created_at`, [
        id,
      ]);
    expect(tasks).toEqual([
      { element_id: 'Esamina', state: 'cancelled' },
      { element_id: 'Sollecito', state: 'open' },
    ]);
  });

  it('repeats no effect for a repeated idempotency key: one mail, one started process', async () => {
    const recipient = await createUser(t.app, 'demo', { roles: ['operator'] });
    const password = await mail.mailbox(recipient.email);
    const child = `ripetuto-${tag}`;
    await deploy(child, childBpmn(child));
    const tenant = await t.app.get(DataSource).getRepository(Tenant).findOneByOrFail({ slug: 'demo' });
    const plugs = t.app.get(PlugInvocation);
    const context = {
      tenantId: tenant.id,
      idempotencyKey: `prova-${tag}`,
      instanceId: null,
      executionId: null,
      principal: { userId: recipient.id, email: recipient.email },
    };
    const answers = await TenantContext.run({ tenantId: tenant.id, slug: 'demo' }, async () => {
      const notice = { to: `user:${recipient.email}`, subject: `Doppio ${tag}`, text: 'Una volta sola.' };
      const call = { processKey: child, businessKey: `doppio-${tag}` };
      return [
        await plugs.invoke('notify', notice, context),
        await plugs.invoke('notify', notice, context),
        await plugs.invoke('call-process', call, context),
        await plugs.invoke('call-process', call, context),
      ];
    });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[3]).toEqual(answers[2]);
    await waitForMail(recipient.email, password, new RegExp(`Doppio ${tag}`));
    expect(await countMail(recipient.email, password, new RegExp(`Doppio ${tag}`))).toBe(1);
    const started = await t.app
      .get(DataSource)
      .query<{ id: string }[]>(
        `SELECT i.id FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id WHERE d.key = $1`,
        [child],
      );
    expect(started.map((row) => row.id)).toEqual([answers[2]!.calledInstanceId]);
  });

  it('routes a BPMN error (nobody to notify) to the error boundary event', async () => {
    const key = `avviso-vuoto-${tag}`;
    await deploy(key, noticeBpmn(key));
    const id = await start(key, { destinatario: `group:Nessuno ${tag}`, pratica: 'P-18', importo: 10 });
    const waiting = await waitingOn(id, 'Assegna');
    expect(waiting).toMatchObject({ status: 'waiting', activeElements: ['Assegna'], incidents: [] });
    expect(waiting.variables).not.toHaveProperty('esito');
    expect(await incidentsOf(id)).toEqual([]);
  });

  it('retries a failing call, then opens an incident; retried once the cause is fixed, the instance moves on with one child', async () => {
    const key = `padre-${tag}`;
    const child = `figlio-${tag}`;
    await deploy(key, parentBpmn(key));
    const id = await start(key, { figlio: child, pratica: 'P-19' });

    const [incident] = await eventually(async () => {
      const open = await incidentsOf(id);
      return open.length > 0 && open;
    });
    expect(incident).toMatchObject({
      processInstanceId: id,
      elementId: 'Avvia',
      topic: 'call-process',
      errorCode: null,
      attempts: 3,
      state: 'open',
    });
    expect(incident!.error).toContain(`no deployed process "${child}"`);
    expect(await instance(id)).toMatchObject({
      status: 'waiting',
      activeElements: ['Avvia'],
      incidents: [{ id: incident!.id, elementId: 'Avvia', error: incident!.error }],
    });
    const listed = (await admin.get('/api/v1/process-incidents').expect(200)).body as { incidents: IncidentBody[] };
    expect(listed.incidents.map((item) => item.id)).toContain(incident!.id);

    // The cause goes away; the admin retries.
    await deploy(child, childBpmn(child));
    const retried = (await admin.post(`/api/v1/process-incidents/${incident!.id}/retry`).expect(200)).body as IncidentBody;
    expect(retried).toMatchObject({ id: incident!.id, state: 'retried' });
    await admin.post(`/api/v1/process-incidents/${incident!.id}/retry`).expect(409);

    const moved = await waitingOn(id, 'Attendi');
    expect(moved.incidents).toEqual([]);
    const children = await t.app
      .get(DataSource)
      .query<{ id: string; business_key: string; status: string }[]>(
        `SELECT i.id, i.business_key, i.status FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id WHERE d.key = $1`,
        [child],
      );
    expect(children).toEqual([{ id: moved.variables.fascicolo, business_key: 'P-19', status: 'waiting' }]);
    expect(
      ((await admin.get('/api/v1/process-incidents?state=retried').expect(200)).body as { incidents: IncidentBody[] }).incidents,
    ).toContainEqual(expect.objectContaining({ id: incident!.id }));
  });

  it('cancels the call and its incident when a boundary timer takes the service task away', async () => {
    const key = `padre-scaduto-${tag}`;
    const xml = parentBpmn(key).replace(
      '<bpmn:userTask id="Attendi"',
      `<bpmn:boundaryEvent id="Scadenza" attachedToRef="Avvia">
      <bpmn:timerEventDefinition id="Timer_1"><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Scadenza" targetRef="Attendi" />
    <bpmn:userTask id="Attendi"`,
    );
    await deploy(key, xml);
    const id = await start(key, { figlio: `mai-deployato-${tag}`, pratica: 'P-22' });
    await waitingOn(id, 'Attendi');
    const rows = await t.app
      .get(DataSource)
      .query<{ state: string }[]>(`SELECT state FROM process_service_jobs WHERE instance_id = $1`, [id]);
    expect(rows).toEqual([{ state: 'cancelled' }]);
    expect(await incidentsOf(id)).toEqual([]);
    expect((await instance(id)).incidents).toEqual([]);
  });

  it('opens an incident for a BPMN error nobody catches, and the retry succeeds once someone is there', async () => {
    const key = `padre-avviso-${tag}`;
    const group = `Ufficio ${tag}`;
    // The notice model without its boundary: the error has nowhere to go.
    await deploy(
      key,
      noticeBpmn(key)
        .replace(/<bpmn:boundaryEvent[\s\S]*?<\/bpmn:boundaryEvent>/, '')
        .replace(/<bpmn:sequenceFlow id="Flow_5"[^>]*\/>/, '')
        .replace(/<bpmn:userTask id="Assegna"[^>]*\/>/, '')
        .replace(/<bpmn:endEvent id="EndEvent_2" \/>/, '')
        .replace(/<bpmn:sequenceFlow id="Flow_6"[^>]*\/>/, ''),
    );
    const id = await start(key, { destinatario: `group:${group}`, pratica: 'P-20', importo: 1 });
    const [incident] = await eventually(async () => {
      const open = await incidentsOf(id);
      return open.length > 0 && open;
    });
    expect(incident).toMatchObject({ elementId: 'Avvisa', topic: 'notify', errorCode: 'no-recipients', attempts: 1, state: 'open' });

    const member = await createUser(t.app, 'demo', { roles: ['operator'] });
    const password = await mail.mailbox(member.email);
    const created = (await admin.post('/api/v1/admin/groups', { name: group }).expect(201)).body as { id: string };
    await admin.put(`/api/v1/admin/groups/${created.id}/members`, { members: [member.email] }).expect(200);
    await admin.post(`/api/v1/process-incidents/${incident!.id}/retry`).expect(200);
    await waitingOn(id, 'Esamina');
    await waitForMail(member.email, password, /Pratica P-20 da esaminare/);
    expect(await countMail(member.email, password, /Pratica P-20/)).toBe(1);
  });

  it('refuses to deploy a service task with an unknown plug or a Java class, naming the element', async () => {
    const key = `sconosciuto-${tag}`;
    const xml = noticeBpmn(key)
      .replace('camunda:topic="notify"', 'camunda:topic="pec.send"')
      .replace('camunda:type="external" camunda:topic="set-variables"', 'camunda:class="it.ente.Registra"');
    const res = await admin.upload('/api/v1/process-definitions', Buffer.from(xml), `${key}.bpmn`).expect(422);
    expect((res.body as { errors: { elementId: string }[] }).errors.map((e) => e.elementId)).toEqual(['Avvisa', 'Registra']);
  });
});
