import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { ApiClient } from '../support/api-client.js';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';
import { signIn, WebClient } from '../support/web-client.js';

interface Ticket {
  id: string;
  data: Record<string, unknown>;
  processInstanceId: string | null;
  version: number;
}
interface TaskRow {
  id: string;
  elementId: string;
  processInstanceId: string;
  assignee: string | null;
  formKey: string | null;
  state: string;
}
interface Problem {
  type: string;
  errors: { field: string; message: string }[];
}

const TICKETS = '/api/v1/solutions/helpdesk/ticket';
const ROOT = path.resolve(import.meta.dirname, '../..');

/** Every .ts file under src/ except the unit tests (which read the shipped models as fixtures). */
function runtimeSources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return runtimeSources(full);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [full] : [];
  });
}

/**
 * The help desk solution is models/helpdesk/solution.yaml plus workflows/helpdesk/ticket.bpmn and
 * nothing else: this drives it end to end through the generic runtime, over HTTP only.
 */
describe('help desk, a solution built from its model alone', () => {
  let t: TestApp;
  let requester: ApiClient;
  let requesterId: string;
  let neighbour: ApiClient;
  let manager: ApiClient;
  let managerUser: Awaited<ReturnType<typeof createUser>>;
  let operator: ApiClient;
  let acme: ApiClient;

  beforeAll(async () => {
    t = await startTestApp();
    const server = t.app.getHttpServer();
    const sign = async (slug: string, spec: Parameters<typeof createUser>[2]) => {
      const user = await createUser(t.app, slug, spec);
      return { user, client: await ApiClient.signIn(server, `${slug}.localhost`, user.email, user.password) };
    };
    const opener = await sign('demo', { roles: ['user'], displayName: 'Rita Richiedente' });
    requester = opener.client;
    requesterId = opener.user.id;
    neighbour = (await sign('demo', { roles: ['user'] })).client;
    const triager = await sign('demo', { grants: [{ role: 'manager', office: 'Assistenza' }] });
    manager = triager.client;
    managerUser = triager.user;
    operator = (await sign('demo', { grants: [{ role: 'operator', office: 'Assistenza/Sportello' }] })).client;
    acme = (await sign('acme', { roles: ['admin'] })).client;
  });
  afterAll(async () => {
    await t.close();
  });

  /** The caller's task of this ticket's process at `elementId`, claimed by the caller when it is open. */
  const taskOf = async (client: ApiClient, instanceId: string, elementId: string): Promise<TaskRow> => {
    const { tasks } = (await client.get('/api/v1/tasks').expect(200)).body as { tasks: TaskRow[] };
    const task = tasks.find((row) => row.processInstanceId === instanceId && row.elementId === elementId && row.state !== 'completed');
    if (!task) throw new Error(`no ${elementId} task for the caller: ${JSON.stringify(tasks)}`);
    if (task.state === 'open') await client.post(`/api/v1/tasks/${task.id}/claim`).expect(200);
    return task;
  };
  const ticket = async (client: ApiClient, id: string) => (await client.get(`${TICKETS}/${id}`).expect(200)).body as Ticket;

  it('runs a ticket from opening to closing: triage, work, reopen once, confirm', async () => {
    // Creation is validated against the JSON Schema generated from the model, field by field, in the user's language.
    const invalid = await requester.post(TICKETS, { data: { title: 'no', category: 'printer', colour: 'red' } }).expect(422);
    expect(invalid.headers['content-type']).toContain('application/problem+json');
    expect((invalid.body as Problem).errors).toEqual(
      expect.arrayContaining([
        { field: 'title', message: 'Almeno 3 caratteri' },
        { field: 'description', message: 'Campo obbligatorio' },
        { field: 'category', message: 'Valore non previsto tra le opzioni' },
        { field: 'colour', message: 'Campo sconosciuto' },
      ]),
    );
    const schema = (await requester.get(`${TICKETS}/schema`).expect(200)).body as {
      required: string[];
      properties: Record<string, unknown>;
    };
    expect(schema.required).toEqual(['title', 'description', 'category', 'priority', 'status', 'requester']);
    expect(schema.properties.category).toEqual({ type: 'string', enum: ['hardware', 'software', 'access', 'other'] });
    const english = await requester.post(TICKETS, { data: { title: 'Stampante' } }).set('Accept-Language', 'en');
    expect(english.status).toBe(422);
    expect((english.body as Problem).errors).toContainEqual({ field: 'description', message: 'Required field' });

    const created = (
      await requester
        .post(TICKETS, { data: { title: 'La stampante non stampa', description: 'Dal piano terra, da ieri.', category: 'hardware' } })
        .expect(201)
    ).body as Ticket;
    // Defaults from the model: status new, priority normal, the requester is whoever opened it.
    expect(created.data).toMatchObject({ status: 'new', priority: 'normal', requester: requesterId });
    expect(created.processInstanceId).toBeNull();

    // The model's action starts the process named in it, with business key = the record's id.
    const opened = (await requester.post(`${TICKETS}/${created.id}/actions/open`).expect(200)).body as Ticket;
    expect(opened.data.status).toBe('open');
    const instanceId = opened.processInstanceId!;
    const instance = (await requester.get(`/api/v1/process-instances/${instanceId}`).expect(200)).body as {
      businessKey: string;
      status: string;
    };
    expect(instance).toMatchObject({ businessKey: created.id, status: 'waiting' });
    await requester.post(`${TICKETS}/${created.id}/actions/open`).expect(409);
    await requester.post(`${TICKETS}/${created.id}/actions/constructor`).expect(404);
    await requester.get(`${TICKETS}?sort=__proto__`).expect(200);

    // Triage, by the managers' role, with the triage form: invalid data is refused field by field.
    const triage = await taskOf(manager, instanceId, 'Triage');
    expect(triage.formKey).toBe('helpdesk:triage');
    const refused = await manager
      .post(`/api/v1/tasks/${triage.id}/complete`, { data: { category: 'printer', priority: 'high', note: 'x' } })
      .expect(422);
    expect((refused.body as Problem).errors).toEqual([
      { field: 'note', message: 'Campo sconosciuto' },
      { field: 'category', message: 'Valore non previsto tra le opzioni' },
    ]);
    expect((await ticket(manager, created.id)).data.status).toBe('open');
    await manager.post(`/api/v1/tasks/${triage.id}/complete`, { data: { category: 'software', priority: 'high' } }).expect(200);
    expect((await ticket(requester, created.id)).data).toMatchObject({ status: 'triaged', category: 'software', priority: 'high' });

    // An operator takes charge (claim) and resolves; the resolution is required by the form, not by the entity.
    const work = await taskOf(operator, instanceId, 'Work');
    const missing = await operator.post(`/api/v1/tasks/${work.id}/complete`, { data: {} }).expect(422);
    expect((missing.body as Problem).errors).toEqual([{ field: 'resolution', message: 'Campo obbligatorio' }]);
    await operator.post(`/api/v1/tasks/${work.id}/complete`, { data: { resolution: 'Driver reinstallato.' } }).expect(200);
    expect((await ticket(requester, created.id)).data).toMatchObject({ status: 'resolved', resolution: 'Driver reinstallato.' });

    // The confirmation is the requester's: camunda:assignee="${requester}" resolved from the process data.
    const confirm = await taskOf(requester, instanceId, 'Confirm');
    expect(confirm.assignee).toBe(requesterId);
    await requester.post(`/api/v1/tasks/${confirm.id}/complete`, { data: { status: 'new' } }).expect(422);
    await requester.post(`/api/v1/tasks/${confirm.id}/complete`, { data: { status: 'reopened' } }).expect(200);
    expect((await ticket(requester, created.id)).data.status).toBe('reopened');

    // Reopened: back to the operators.
    const again = await taskOf(operator, instanceId, 'Work');
    expect(again.id).not.toBe(work.id);
    await operator.post(`/api/v1/tasks/${again.id}/complete`, { data: { resolution: 'Sostituito il toner.' } }).expect(200);
    const last = await taskOf(requester, instanceId, 'Confirm');
    const done = await requester.post(`/api/v1/tasks/${last.id}/complete`, { data: { status: 'closed' } }).expect(200);
    expect((done.body as { processInstance: { status: string } }).processInstance.status).toBe('completed');

    const closed = await ticket(requester, created.id);
    expect(closed.data).toMatchObject({ status: 'closed', resolution: 'Sostituito il toner.' });
    expect((await requester.get(`/api/v1/process-instances/${instanceId}`).expect(200)).body).toMatchObject({ status: 'completed' });

    // The list view's declared filters.
    const byStatus = async (status: string) =>
      ((await manager.get(`${TICKETS}?status=${status}&category=software`).expect(200)).body as { items: Ticket[] }).items.map(
        (item) => item.id,
      );
    expect(await byStatus('closed')).toContain(created.id);
    expect(await byStatus('new')).not.toContain(created.id);
  });

  it('keeps nothing of a completion whose record write fails: task still claimed, process and record unchanged', async () => {
    const created = (
      await requester.post(TICKETS, { data: { title: 'Il VPN cade', description: 'Ogni dieci minuti.', category: 'access' } }).expect(201)
    ).body as Ticket;
    const instanceId = ((await requester.post(`${TICKETS}/${created.id}/actions/open`).expect(200)).body as Ticket).processInstanceId!;
    const triage = await taskOf(manager, instanceId, 'Triage');
    // The record stops being valid behind the application's back (a row edited by hand, an older
    // model): the triage form's write re-validates the whole record, so it is refused inside the step.
    const db = t.app.get(DataSource);
    await db.query(`UPDATE solution_records SET data = jsonb_set(data, '{title}', '"x"') WHERE id = $1`, [created.id]);
    const row = async () =>
      (
        await db.query<unknown[]>('SELECT status, version, state, variables, active_elements FROM process_instances WHERE id = $1', [
          instanceId,
        ])
      )[0];
    const history = async () =>
      ((await manager.get(`/api/v1/process-instances/${instanceId}/history`).expect(200)).body as { history: unknown[] }).history;
    const [instanceBefore, historyBefore, recordBefore] = [await row(), await history(), await ticket(manager, created.id)];

    const refused = await manager
      .post(`/api/v1/tasks/${triage.id}/complete`, { data: { category: 'software', priority: 'urgent' } })
      .expect(422);
    expect((refused.body as Problem).errors).toEqual([{ field: 'title', message: 'Almeno 3 caratteri' }]);

    const { tasks } = (await manager.get('/api/v1/tasks').expect(200)).body as { tasks: TaskRow[] };
    expect(tasks.find((row) => row.id === triage.id)).toMatchObject({ state: 'claimed', assignee: managerUser.id });
    expect(await row()).toEqual(instanceBefore);
    expect(await history()).toEqual(historyBefore);
    expect(await ticket(manager, created.id)).toEqual(recordBefore);
    expect(recordBefore.data).toMatchObject({ status: 'open', category: 'access', priority: 'normal', title: 'x' });

    // Once the record is valid again the same completion goes through, record and process together.
    await manager.patch(`${TICKETS}/${created.id}`, { data: { title: 'Il VPN cade' } }).expect(200);
    const done = await manager
      .post(`/api/v1/tasks/${triage.id}/complete`, { data: { category: 'software', priority: 'urgent' } })
      .expect(200);
    expect((done.body as { processInstance: { status: string } }).processInstance.status).toBe('waiting');
    expect((await ticket(manager, created.id)).data).toMatchObject({ status: 'triaged', category: 'software', priority: 'urgent' });
  });

  it('keeps a ticket from whoever the model does not let see it: another user (404), another workspace (404)', async () => {
    const mine = (
      await requester.post(TICKETS, { data: { title: 'Password scaduta', description: 'Non entro più.', category: 'access' } }).expect(201)
    ).body as Ticket;
    await neighbour.get(`${TICKETS}/${mine.id}`).expect(404);
    await neighbour.patch(`${TICKETS}/${mine.id}`, { data: { title: 'Presa da altri' } }).expect(404);
    await neighbour.post(`${TICKETS}/${mine.id}/actions/open`).expect(404);
    const listed = ((await neighbour.get(TICKETS).expect(200)).body as { items: Ticket[] }).items;
    expect(listed.map((item) => item.id)).not.toContain(mine.id);
    // The requester's own list has it; operators see every ticket.
    expect(((await requester.get(TICKETS).expect(200)).body as { items: Ticket[] }).items.map((item) => item.id)).toContain(mine.id);
    await operator.get(`${TICKETS}/${mine.id}`).expect(200);

    await acme.get(`${TICKETS}/${mine.id}`).expect(404);
    await acme.patch(`${TICKETS}/${mine.id}`, { data: { title: 'Presa da fuori' } }).expect(404);
    expect(((await acme.get(TICKETS).expect(200)).body as { items: Ticket[] }).items.map((item) => item.id)).not.toContain(mine.id);
    expect((await ticket(requester, mine.id)).data.title).toBe('Password scaduta');

    // Patch: validated, and conditional on the version read.
    const patched = (await requester.patch(`${TICKETS}/${mine.id}`, { data: { priority: 'urgent' }, version: mine.version }).expect(200))
      .body as Ticket;
    expect(patched.version).toBe(mine.version + 1);
    await requester.patch(`${TICKETS}/${mine.id}`, { data: { priority: 'low' }, version: mine.version }).expect(409);
    await requester.patch(`${TICKETS}/${mine.id}`, { data: { priority: 'whenever' } }).expect(422);
  });

  it('draws the pages from the model: list with filters, new-record form, detail with the process', async () => {
    const user = await createUser(t.app, 'demo', { roles: ['user'] });
    const web = new WebClient(t.app.getHttpServer(), 'demo.localhost');
    await signIn(web, user.email, user.password);
    const desktop = await web.get('/');
    expect(desktop.text).toContain('href="/solutions/helpdesk/ticket"');

    const form = await web.get('/solutions/helpdesk/ticket/new');
    expect(form.status).toBe(200);
    expect(form.text).toContain('Nuova segnalazione');
    const invalid = await web.send('/solutions/helpdesk/ticket', { title: 'Monitor sfarfalla', description: '', category: 'hardware' });
    expect(invalid.status).toBe(422);
    expect(invalid.text).toContain('Descrizione: Campo obbligatorio');
    const saved = await web.send('/solutions/helpdesk/ticket', {
      title: 'Monitor sfarfalla',
      description: 'Ogni tanto.',
      category: 'hardware',
      priority: '',
    });
    expect(saved.status).toBe(303);
    const detailPath = saved.headers.location!.replace(/\?.*$/, '');
    const detail = await web.get(detailPath);
    expect(detail.text).toContain('Monitor sfarfalla');
    expect(detail.text).toContain('Nuova');
    expect(detail.text).toContain('Nessun processo avviato.');
    const started = await web.send(`${detailPath}/actions/open`, {});
    expect(started.status).toBe(303);
    expect((await web.get(detailPath)).text).toContain('In attesa di un’attività');

    // The triage task page draws the form's fields; invalid data comes back on the page, field by field.
    const instanceId = (await ticket(manager, detailPath.split('/').pop()!)).processInstanceId!;
    const triage = await taskOf(manager, instanceId, 'Triage');
    const managerWeb = new WebClient(t.app.getHttpServer(), 'demo.localhost');
    await signIn(managerWeb, managerUser.email, managerUser.password);
    const taskPage = await managerWeb.get(`/tasks/${triage.id}`);
    expect(taskPage.text).toContain('name="field.category"');
    expect(taskPage.text).not.toContain('name="name1"');
    const wrong = await managerWeb.send(`/tasks/${triage.id}/complete`, { 'field.category': 'printer', 'field.priority': 'high' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('Categoria: Valore non previsto tra le opzioni');
    const right = await managerWeb.send(`/tasks/${triage.id}/complete`, { 'field.category': 'software', 'field.priority': 'high' });
    expect(right.status).toBe(303);
    expect((await web.get(detailPath)).text).toContain('Smistata');

    const list = await web.get('/solutions/helpdesk/ticket?status=triaged');
    expect(list.text).toContain('Monitor sfarfalla');
    expect((await web.get('/solutions/helpdesk/ticket?status=closed')).text).not.toContain('Monitor sfarfalla');
  });

  it('has no help-desk code: no TypeScript source under src/ names it', () => {
    const naming = runtimeSources(path.join(ROOT, 'src')).filter((file) => /helpdesk|help desk/i.test(readFileSync(file, 'utf8')));
    expect(naming).toEqual([]);
  });
});
