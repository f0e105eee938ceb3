import { DataSource } from 'typeorm';
import { escalationBpmn, minimalBpmn } from '../support/bpmn.js';
import { startLocalMail, waitForMail } from '../support/local-mail.js';
import { deploy, signIn as signInAt, startInstance, taskOf } from '../support/process-api.js';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';
import { eventually } from '../support/eventually.js';

/** 3600: a PT1H boundary timer's job runs after 1 s. */
const CLOCK_FACTOR = '3600';
/** Small enough to exceed in a test; the default is 20 MiB. */
const MAX_BYTES = '4096';

interface TaskBody {
  id: string;
  state: string;
  assignee: string | null;
  escalatedAt: string | null;
}

describe('task work: delegate, annotations, encrypted attachments, escalation', () => {
  let t: TestApp;
  let mail: Awaited<ReturnType<typeof startLocalMail>>;
  const tag = Date.now().toString(36);
  const office = `Ufficio ${tag}`;
  const saved = { factor: process.env.PROCESS_CLOCK_FACTOR, max: process.env.TASK_ATTACHMENT_MAX_BYTES };

  const signIn = (user: { email: string; password: string }) => signInAt(t.app, user);
  const db = () => t.app.get(DataSource);

  /** Two operators of the office (the candidates), its manager, an admin; the process started with one open task. */
  async function setUp(name: string, bpmn: (key: string) => string) {
    const key = `${name}-${tag}`;
    const grants = (role: string) => ({ grants: [{ role, office: `${office} ${name}` }] });
    const people = {
      anna: await createUser(t.app, 'demo', { ...grants('operator'), displayName: `Anna ${name}` }),
      bruno: await createUser(t.app, 'demo', { ...grants('operator'), displayName: `Bruno ${name}` }),
      capo: await createUser(t.app, 'demo', { ...grants('manager'), displayName: `Capo ${name}` }),
      estraneo: await createUser(t.app, 'demo', { roles: ['operator'] }),
      admin: await createUser(t.app, 'demo', { roles: ['admin'] }),
    };
    const admin = await signIn(people.admin);
    await deploy(admin, key, bpmn(key));
    const instanceId = await startInstance(admin, key, key);
    const task = await taskOf(t.app, instanceId, 'Esamina');
    return { people, admin, taskId: task.id, instanceId, candidates: `role:operator@${office} ${name}` };
  }

  beforeAll(async () => {
    process.env.PROCESS_CLOCK_FACTOR = CLOCK_FACTOR;
    process.env.TASK_ATTACHMENT_MAX_BYTES = MAX_BYTES;
    mail = await startLocalMail();
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
    await mail.close();
    for (const [name, value] of [
      ['PROCESS_CLOCK_FACTOR', saved.factor],
      ['TASK_ATTACHMENT_MAX_BYTES', saved.max],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('delegates a claimed task to another candidate, who gets it in charge and an e-mail', async () => {
    const { people, taskId } = await setUp('delega', (key) => minimalBpmn(key, { candidateGroups: `role:operator@${office} delega` }));
    const brunoMailbox = await mail.mailbox(people.bruno.email);
    const anna = await signIn(people.anna);
    const bruno = await signIn(people.bruno);
    const outsider = await signIn(people.estraneo);

    // Only a claimed task, and only by its assignee.
    await anna.post(`/api/v1/tasks/${taskId}/delegate`, { email: people.bruno.email }).expect(409);
    await anna.post(`/api/v1/tasks/${taskId}/claim`).expect(200);
    await bruno.post(`/api/v1/tasks/${taskId}/delegate`, { email: people.anna.email }).expect(409);
    await outsider.post(`/api/v1/tasks/${taskId}/delegate`, { email: people.estraneo.email }).expect(404);
    // The delegate must be one of the task's candidates.
    const refused = await anna.post(`/api/v1/tasks/${taskId}/delegate`, { email: people.estraneo.email }).expect(422);
    expect(refused.body).toMatchObject({ errors: [{ field: 'email' }] });
    await anna.post(`/api/v1/tasks/${taskId}/delegate`, { nobody: true }).expect(400);

    const delegated = await anna.post(`/api/v1/tasks/${taskId}/delegate`, { userId: people.bruno.id }).expect(200);
    expect(delegated.body).toMatchObject({ id: taskId, state: 'claimed', assignee: people.bruno.id });
    // Bruno now completes it; Anna no longer may.
    await anna.post(`/api/v1/tasks/${taskId}/complete`, { data: {} }).expect(409);
    const received = await waitForMail(people.bruno.email, brunoMailbox, /Ti è stata affidata l'attività/);
    expect(received.text).toContain(`Anna delega ti ha affidato l'attività «Esamina la PEC»`);
    expect(received.text).toContain(`/tasks/${taskId}`);
    await bruno.post(`/api/v1/tasks/${taskId}/complete`, { data: {} }).expect(200);
    // The completed task's record is closed to new notes and files.
    await bruno.post(`/api/v1/tasks/${taskId}/annotations`, { text: 'dopo' }).expect(409);
    await bruno.upload(`/api/v1/tasks/${taskId}/attachments`, Buffer.from('dopo'), 'dopo.txt').expect(409);

    const [entry] = await db().query<{ details: Record<string, unknown> }[]>(
      `SELECT details FROM activity_log WHERE action = 'task.delegated' AND resource_id = $1`,
      [taskId],
    );
    expect(entry?.details).toMatchObject({ from: people.anna.id, to: people.bruno.id });
    // The task's history tells the same story, with who did each step.
    const history = (await bruno.get(`/api/v1/tasks/${taskId}/history`).expect(200)).body as {
      history: { event: string; actor: { id: string } | null; details: Record<string, unknown> }[];
    };
    expect(history.history.map((line) => [line.event, line.actor?.id ?? null])).toEqual([
      ['task-created', null],
      ['task-claimed', people.anna.id],
      ['task-delegated', people.anna.id],
      ['task-completed', people.bruno.id],
    ]);
    expect(history.history[2]!.details).toMatchObject({ from: people.anna.id, to: people.bruno.id });
  });

  it('keeps annotations on the task, with author and time, for those who see it', async () => {
    const { people, taskId, admin } = await setUp('note', (key) => minimalBpmn(key, { candidateGroups: `role:operator@${office} note` }));
    const anna = await signIn(people.anna);
    const outsider = await signIn(people.estraneo);
    await anna.post(`/api/v1/tasks/${taskId}/annotations`, { text: '  ' }).expect(400);
    const first = await anna.post(`/api/v1/tasks/${taskId}/annotations`, { text: 'Chiesto il protocollo al mittente' }).expect(201);
    expect(first.body).toMatchObject({ text: 'Chiesto il protocollo al mittente', author: { id: people.anna.id, name: 'Anna note' } });
    await admin.post(`/api/v1/tasks/${taskId}/annotations`, { text: 'Ricevuto' }).expect(201);
    await outsider.post(`/api/v1/tasks/${taskId}/annotations`, { text: 'intruso' }).expect(404);
    await outsider.get(`/api/v1/tasks/${taskId}/annotations`).expect(404);

    const listed = (await anna.get(`/api/v1/tasks/${taskId}/annotations`).expect(200)).body as {
      annotations: { text: string; at: string }[];
    };
    expect(listed.annotations.map((a) => a.text)).toEqual(['Chiesto il protocollo al mittente', 'Ricevuto']);
    expect(Number.isNaN(Date.parse(listed.annotations[0]!.at))).toBe(false);
    const [{ count }] = await db().query<[{ count: string }]>(
      `SELECT count(*) FROM activity_log WHERE action = 'task.annotated' AND resource_id = $1`,
      [taskId],
    );
    expect(count).toBe('2');
  });

  it('stores attachments encrypted, gives them back intact with a safe download, and refuses oversized ones', async () => {
    const { people, taskId } = await setUp('allegati', (key) => minimalBpmn(key, { candidateGroups: `role:operator@${office} allegati` }));
    const anna = await signIn(people.anna);
    const outsider = await signIn(people.estraneo);
    const content = Buffer.from('%PDF-1.7\nRicevuta di consegna riservata PEC-2026-0001\n');
    const name = 'ricevuta è "consegna".pdf';

    const uploaded = await anna.upload(`/api/v1/tasks/${taskId}/attachments`, content, name).expect(201);
    const attachment = uploaded.body as { id: string; filename: string; size: number; contentType: string };
    expect(attachment).toMatchObject({ filename: name, size: content.length, contentType: 'application/pdf' });

    // In PostgreSQL only ciphertext: neither the whole content nor a telling part of it.
    const [row] = await db().query<{ sealed: Buffer }[]>(`SELECT sealed FROM task_attachments WHERE id = $1`, [attachment.id]);
    expect(row!.sealed.includes(content)).toBe(false);
    expect(row!.sealed.includes(Buffer.from('PEC-2026-0001'))).toBe(false);
    expect(row!.sealed.length).toBeGreaterThan(content.length);

    const listed = (await anna.get(`/api/v1/tasks/${taskId}/attachments`).expect(200)).body as { attachments: { id: string }[] };
    expect(listed.attachments.map((a) => a.id)).toEqual([attachment.id]);
    const download = await anna.download(`/api/v1/tasks/${taskId}/attachments/${attachment.id}`);
    expect(download.status).toBe(200);
    expect(download.body.equals(content)).toBe(true);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-disposition']).toBe(
      `attachment; filename="ricevuta ? \\"consegna\\".pdf"; filename*=UTF-8''ricevuta%20%C3%A8%20%22consegna%22.pdf`,
    );
    expect((await outsider.download(`/api/v1/tasks/${taskId}/attachments/${attachment.id}`)).status).toBe(404);
    await outsider.upload(`/api/v1/tasks/${taskId}/attachments`, content, 'x.pdf').expect(404);
    expect((await anna.download(`/api/v1/tasks/${taskId}/attachments/00000000-0000-4000-8000-000000000000`)).status).toBe(404);

    // Over TASK_ATTACHMENT_MAX_BYTES: 413 in the caller's language, nothing stored.
    const big = await anna
      .upload(`/api/v1/tasks/${taskId}/attachments`, Buffer.alloc(Number(MAX_BYTES) + 1, 1), 'grande.bin')
      .set('Accept-Language', 'en');
    expect(big.status).toBe(413);
    expect(big.headers['content-type']).toContain('application/problem+json');
    expect(big.body).toMatchObject({ title: 'File too large', status: 413 });
    const [{ count }] = await db().query<[{ count: string }]>(`SELECT count(*) FROM task_attachments WHERE task_id = $1`, [taskId]);
    expect(count).toBe('1');
    const [audit] = await db().query<{ details: Record<string, unknown> }[]>(
      `SELECT details FROM activity_log WHERE action = 'task.attached' AND resource_id = $1`,
      [taskId],
    );
    expect(audit?.details).toMatchObject({ attachmentId: attachment.id, size: content.length });
  });

  it('filters the inbox: in my charge, process, priority, overdue, words', async () => {
    const candidates = `role:operator@${office} filtri`;
    const urgent = (key: string) =>
      minimalBpmn(key, { candidateGroups: candidates, taskName: `Urgente ${tag}` }).replace(
        'camunda:candidateGroups=',
        'camunda:priority="80" camunda:dueDate="2020-01-01T00:00:00Z" camunda:candidateGroups=',
      );
    const { people, taskId, admin } = await setUp('filtri', urgent);
    const other = `filtri-altro-${tag}`;
    await admin
      .upload('/api/v1/process-definitions', Buffer.from(minimalBpmn(other, { candidateGroups: candidates })), 'altro.bpmn')
      .expect(201);
    await admin.post('/api/v1/process-instances', { definitionKey: other, businessKey: `ALTRO-${tag}`, variables: {} }).expect(201);
    const anna = await signIn(people.anna);
    const ids = async (query: string) =>
      ((await anna.get(`/api/v1/tasks?${query}`).expect(200)).body as { tasks: TaskBody[] }).tasks.map((task) => task.id);

    expect(await ids('state=open')).toHaveLength(2);
    expect(await ids(`process=filtri-${tag}`)).toEqual([taskId]);
    expect(await ids('minPriority=60')).toEqual([taskId]);
    expect(await ids('overdue=true')).toEqual([taskId]);
    expect(await ids(`q=${encodeURIComponent(`urgente ${tag}`)}`)).toEqual([taskId]);
    expect(await ids(`q=${encodeURIComponent(`altro-${tag}`)}`)).toHaveLength(1);
    // % is a character to find, not a wildcard.
    expect(await ids('q=%25')).toEqual([]);
    expect(await ids('mine=true')).toEqual([]);
    await anna.post(`/api/v1/tasks/${taskId}/claim`).expect(200);
    expect(await ids('mine=true')).toEqual([taskId]);
    await anna.get('/api/v1/tasks?minPriority=alto').expect(400);
  });

  it('escalates a task nobody took in charge when its boundary timer fires: marked once, candidates and their manager mailed', async () => {
    const { people, taskId, instanceId } = await setUp('sollecito', (key) =>
      escalationBpmn(key, { duration: 'PT1H', interrupting: false, candidates: `role:operator@${office} sollecito` }),
    );
    const boxes = {
      anna: await mail.mailbox(people.anna.email),
      capo: await mail.mailbox(people.capo.email),
    };
    const anna = await signIn(people.anna);
    const escalated = await eventually(async () => {
      const { tasks } = (await anna.get('/api/v1/tasks?escalated=true').expect(200)).body as { tasks: TaskBody[] };
      return tasks.find((task) => task.id === taskId);
    });
    expect(escalated).toMatchObject({ state: 'open' });
    expect(Number.isNaN(Date.parse(escalated.escalatedAt!))).toBe(false);
    for (const [who, box] of [
      [people.anna, boxes.anna],
      [people.capo, boxes.capo],
    ] as const) {
      const received = await waitForMail(who.email, box, /Sollecito: l'attività «Esamina» attende una presa in carico/);
      expect(received.text).toContain(`/tasks/${taskId}`);
    }
    // The manager follows the link: the task of their office is theirs to see and to hand on.
    const capo = await signIn(people.capo);
    expect(
      ((await capo.get('/api/v1/tasks?escalated=true').expect(200)).body as { tasks: TaskBody[] }).tasks.map((task) => task.id),
    ).toContain(taskId);
    await anna.post(`/api/v1/tasks/${taskId}/claim`).expect(200);
    await capo.post(`/api/v1/tasks/${taskId}/delegate`, { email: people.bruno.email }).expect(200);
    const events = ((await anna.get(`/api/v1/tasks/${taskId}/history`).expect(200)).body as { history: { event: string }[] }).history;
    expect(events.map((line) => line.event)).toEqual(['task-created', 'task-escalated', 'task-claimed', 'task-delegated']);
    const [row] = await db().query<{ notified: string[] }[]>(`SELECT notified FROM task_escalations WHERE task_id = $1`, [taskId]);
    expect([...row!.notified].sort()).toEqual([people.anna.id, people.bruno.id, people.capo.id].sort());

    // The job delivered again (at least once): no second escalation, no second mail.
    const [timer] = await db().query<{ id: string }[]>(`SELECT id FROM process_timers WHERE instance_id = $1`, [instanceId]);
    const { TimerJobs } = await import('../../src/process/timer-jobs.js');
    const { TenantContext } = await import('../../src/db/tenant-context.js');
    const [tenant] = await db().query<{ id: string }[]>(`SELECT id FROM tenants WHERE slug = 'demo'`);
    const again = await TenantContext.run({ tenantId: tenant!.id, slug: 'demo' }, () =>
      t.app.get(TimerJobs).fire({ data: { tenant: { tenantId: tenant!.id, slug: 'demo' }, timerId: timer!.id } } as never),
    );
    expect(again).toEqual({ fired: false, escalated: [] });
    const [{ count }] = await db().query<[{ count: string }]>(`SELECT count(*) FROM task_escalations WHERE task_id = $1`, [taskId]);
    expect(count).toBe('1');

    // A task already in someone's charge is not escalated.
    const other = await setUp('incarico', (key) =>
      escalationBpmn(key, { duration: 'PT2H', interrupting: false, candidates: `role:operator@${office} incarico` }),
    );
    await (await signIn(other.people.anna)).post(`/api/v1/tasks/${other.taskId}/claim`).expect(200);
    await eventually(async () => {
      const rows = await db().query<{ state: string }[]>(`SELECT state FROM process_timers WHERE instance_id = $1`, [other.instanceId]);
      return rows[0]?.state === 'fired';
    });
    const [claimed] = await db().query<{ escalated_at: Date | null }[]>(`SELECT escalated_at FROM tasks WHERE id = $1`, [other.taskId]);
    expect(claimed!.escalated_at).toBeNull();
  });
});
