import type { Page } from 'playwright-core';
import { accessibilityViolations } from '../support/accessibility.js';
import { ApiClient } from '../support/api-client.js';
import { minimalBpmn } from '../support/bpmn.js';
import { browserSuite, signedInPage } from '../support/browser.js';
import { createUser } from '../support/test-app.js';

describe('task inbox pages in a browser', () => {
  const suite = browserSuite();
  const tag = Date.now().toString(36);
  const key = `inbox-${tag}`;
  const office = `Protocollo ${tag}`;
  const taskName = `Esamina ${tag}`;
  let instanceId: string;
  let taskId: string;
  let operator: Awaited<ReturnType<typeof createUser>>;

  /** The text of the inbox table on one tab. */
  const tableOf = async (page: Page, tab: string): Promise<string> => {
    await page.goto(`${suite.t.origin('demo')}/tasks?tab=${tab}`);
    return (await page.locator('tbody').textContent()) ?? '';
  };

  beforeAll(async () => {
    // Candidates are resolved when the task is created, so the operator must exist before the start.
    operator = await createUser(suite.t.app, 'demo', { grants: [{ role: 'operator', office }] });
    const admin = await createUser(suite.t.app, 'demo', { roles: ['admin'] });
    const api = await ApiClient.signIn(suite.t.app.getHttpServer(), 'demo.localhost', admin.email, admin.password);
    const bpmn = minimalBpmn(key, { taskName, candidateGroups: `role:operator@${office}` });
    await api.upload('/api/v1/process-definitions', Buffer.from(bpmn), 'inbox.bpmn').expect(201);
    const started = await api.post('/api/v1/process-instances', {
      definitionKey: key,
      businessKey: `PEC-${tag}`,
      variables: { oggetto: '<b>Richiesta</b> di accesso' },
    });
    expect(started.status).toBe(201);
    instanceId = (started.body as { id: string }).id;
  });

  it('lets a candidate claim, open and complete a task, which then leaves the open lists', async () => {
    const page = await signedInPage(suite.browser, suite.t.origin('demo'), operator.email, operator.password, '/tasks');
    const row = page.locator('tbody tr', { hasText: taskName });
    expect(await row.textContent()).toContain(`PEC-${tag}`);
    expect(await row.textContent()).toContain(`Processo ${key}`);
    // Other tests of the run may give every operator of the workspace a task too: the count is the list's length.
    expect(await page.locator('[data-count="open"]').textContent()).toBe(String(await page.locator('tbody tr').count()));
    expect(await accessibilityViolations(page)).toEqual([]);

    await row.getByRole('button', { name: `Prendi in carico: ${taskName}` }).click();
    await page.waitForURL(/\/tasks\/[0-9a-f-]{36}\?done=claimed$/);
    expect(await page.getByRole('status').first().textContent()).toContain('Attività presa in carico.');
    expect(await tableOf(page, 'open')).not.toContain(taskName);
    expect(await tableOf(page, 'mine')).toContain(taskName);

    await page.getByRole('link', { name: `Apri: ${taskName}` }).click();
    await page.waitForURL(/\/tasks\/[0-9a-f-]{36}$/);
    // Variables are shown as text: markup in them is escaped, never rendered.
    expect(await page.locator('.variables').first().textContent()).toContain('<b>Richiesta</b> di accesso');
    expect(await page.locator('.variables b').count()).toBe(0);
    expect(await page.locator('.history').textContent()).toContain(`Presa in carico da ${operator.displayName}`);
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByLabel('Dato', { exact: true }).first().fill('esito');
    await page.getByLabel('Valore').first().fill('approvata');
    await page.getByLabel('Note').fill('Tutto in ordine');
    await page.getByRole('button', { name: 'Completa' }).click();
    await page.waitForURL(/\/tasks\?done=completed$/);
    expect(await page.getByRole('status').first().textContent()).toContain('Attività completata.');
    expect(await tableOf(page, 'open')).not.toContain(taskName);
    expect(await tableOf(page, 'mine')).not.toContain(taskName);
    expect(await tableOf(page, 'completed')).toContain(taskName);
    expect(await accessibilityViolations(page)).toEqual([]);

    const api = await ApiClient.signIn(suite.t.app.getHttpServer(), 'demo.localhost', operator.email, operator.password);
    const [task] = (
      (await api.get('/api/v1/tasks?state=completed').expect(200)).body as { tasks: { id: string; processInstanceId: string }[] }
    ).tasks.filter((t) => t.processInstanceId === instanceId);
    taskId = task!.id;
    await page.goto(`${suite.t.origin('demo')}/tasks/${taskId}`);
    expect(await page.locator('.history').textContent()).toContain(`Completata da ${operator.displayName}`);
    expect(await page.locator('main').textContent()).toContain('Tutto in ordine');
  });

  it('hides the task from an operator of another office, and shows a refused claim as a message', async () => {
    const outsider = await createUser(suite.t.app, 'demo', { grants: [{ role: 'operator', office: `Ragioneria ${tag}` }] });
    const page = await signedInPage(suite.browser, suite.t.origin('demo'), outsider.email, outsider.password, '/tasks');
    expect(await page.locator('tbody').textContent()).not.toContain(taskName);
    // Other test files give every operator of the workspace tasks: the empty state is checked on this process.
    expect(await tableOf(page, `open&process=${key}`)).toContain('Nessuna attività da prendere in carico.');
    expect(await accessibilityViolations(page)).toEqual([]);
    const missing = await page.goto(`${suite.t.origin('demo')}/tasks/00000000-0000-4000-8000-000000000000`);
    expect(missing?.status()).toBe(404);

    await page.goto(`${suite.t.origin('demo')}/tasks`);
    const csrf = await page.locator('input[name="_csrf"]').first().getAttribute('value');
    // Posted from inside the page (the browser resolves *.localhost; Node's resolver does not).
    const refused = await page.evaluate(
      async ([id, token]) => {
        const res = await fetch(`/tasks/${id}/claim`, { method: 'POST', body: new URLSearchParams({ _csrf: token! }) });
        return { url: res.url, text: await res.text() };
      },
      [taskId, csrf] as const,
    );
    expect(refused.url).toMatch(/\/tasks\?error=not-found$/);
    expect(refused.text).toContain('L’attività non esiste o non è visibile per te.');
  });

  it('streams the inbox counts as Server-Sent Events', async () => {
    const operator = await createUser(suite.t.app, 'demo', { grants: [{ role: 'operator', office }] });
    const page = await signedInPage(suite.browser, suite.t.origin('demo'), operator.email, operator.password, '/tasks');
    const first = await page.evaluate(async () => {
      const controller = new AbortController();
      const res = await fetch('/tasks/events', { signal: controller.signal });
      const chunk = await res.body!.getReader().read();
      controller.abort();
      return { type: res.headers.get('content-type'), text: new TextDecoder().decode(chunk.value) };
    });
    expect(first.type).toMatch(/^text\/event-stream/);
    expect(first.text).toMatch(/^event: inbox\ndata: \{"open":\d+,"mine":0,"completed":\d+,"escalated":\d+\}\n\n/);
  });
});
