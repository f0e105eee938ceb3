import { accessibilityViolations } from '../support/accessibility.js';
import { ApiClient } from '../support/api-client.js';
import { brokenBpmn, drawnBpmn, minimalBpmn } from '../support/bpmn.js';
import { browserSuite, signedInPage } from '../support/browser.js';
import { createUser } from '../support/test-app.js';

describe('process pages in a browser: instance diagram and history, service levels, deploying a model', () => {
  const suite = browserSuite();
  const tag = Date.now().toString(36);

  it('draws the instance diagram with completed and active elements, and its history as text', async () => {
    const key = `disegno-${tag}`;
    const admin = await createUser(suite.t.app, 'demo', { roles: ['admin'] });
    const operator = await createUser(suite.t.app, 'demo', { roles: ['operator'] });
    const manager = await createUser(suite.t.app, 'demo', { roles: ['manager'] });
    const adminApi = await ApiClient.signIn(suite.t.app.getHttpServer(), 'demo.localhost', admin.email, admin.password);
    const operatorApi = await ApiClient.signIn(suite.t.app.getHttpServer(), 'demo.localhost', operator.email, operator.password);
    await adminApi.upload('/api/v1/process-definitions', Buffer.from(drawnBpmn(key)), 'disegno.bpmn').expect(201);
    const instance = (await operatorApi.post('/api/v1/process-instances', { definitionKey: key, businessKey: `PEC-${tag}` }).expect(201))
      .body as { id: string };
    const tasks = (await operatorApi.get('/api/v1/tasks?state=open').expect(200)).body as {
      tasks: { id: string; processInstanceId: string }[];
    };
    const task = tasks.tasks.find((t) => t.processInstanceId === instance.id)!;
    await operatorApi.post(`/api/v1/tasks/${task.id}/claim`).expect(200);
    await operatorApi.post(`/api/v1/tasks/${task.id}/release`).expect(200);
    await operatorApi.post(`/api/v1/tasks/${task.id}/claim`).expect(200);
    await operatorApi.post(`/api/v1/tasks/${task.id}/complete`, { data: { esito: 'ok' } }).expect(200);

    // The operator started it: it is in their list, and its page draws the diagram.
    const page = await signedInPage(suite.browser, suite.t.origin('demo'), operator.email, operator.password, '/processes');
    await page.getByRole('link', { name: `Pratica ${key}` }).click();
    await page.waitForURL(new RegExp(`/processes/${instance.id}$`));
    await page.locator('#diagram[data-drawn="true"]').waitFor();
    const marked = async (id: string) => page.locator(`#diagram svg [data-element-id="${id}"]`).getAttribute('class');
    expect(await marked('StartEvent_1')).toContain('pf-completed');
    expect(await marked('Esamina')).toContain('pf-completed');
    expect(await marked('Approva')).toContain('pf-active');
    expect(await marked('Approva')).not.toContain('pf-completed');
    expect(await marked('EndEvent_1')).not.toMatch(/pf-(completed|active)/);
    const history = (await page.locator('table.process-history tbody').textContent()) ?? '';
    expect(history).toContain('Processo avviato');
    expect(history).toContain(`Attività completata`);
    expect(history).toContain('Esamina la PEC (Esamina)');
    expect(history).toContain(operator.displayName);
    expect(await page.locator('.open-tasks').textContent()).toContain('Approva la risposta');
    expect(await accessibilityViolations(page)).toEqual([]);

    // The task page shows the task's whole history (from the process history) with who did what, in order.
    await page.goto(`${suite.t.origin('demo')}/tasks/${task.id}`);
    // Each line is its sentence followed by a <time>.
    const lines = await page.locator('.history li').evaluateAll((items) => items.map((li) => li.childNodes[0]?.textContent?.trim()));
    const by = operator.displayName;
    expect(lines).toEqual(['Creata', `Presa in carico da ${by}`, `Rilasciata da ${by}`, `Presa in carico da ${by}`, `Completata da ${by}`]);

    // A manager sees the service levels of that task type.
    const managerPage = await signedInPage(suite.browser, suite.t.origin('demo'), manager.email, manager.password, '/processes/sla');
    const row = managerPage.locator(`tr[data-sla="${key}/Esamina"]`);
    expect(await row.textContent()).toContain('Esamina la PEC');
    expect(await accessibilityViolations(managerPage)).toEqual([]);
    // Someone else's instance is not there for an operator who did not start it.
    const outsider = await createUser(suite.t.app, 'demo', { roles: ['operator'] });
    const outsiderPage = await signedInPage(suite.browser, suite.t.origin('demo'), outsider.email, outsider.password, '/processes');
    expect(await outsiderPage.locator('tbody').textContent()).not.toContain(`Pratica ${key}`);
    expect((await outsiderPage.goto(`${suite.t.origin('demo')}/processes/${instance.id}`))?.status()).toBe(404);
    expect((await outsiderPage.goto(`${suite.t.origin('demo')}/processes/sla`))?.status()).toBe(403);
  });

  it('says so when the model has no diagram layout, and still gives the history', async () => {
    const key = `senza-disegno-${tag}`;
    const admin = await createUser(suite.t.app, 'demo', { roles: ['admin'] });
    const api = await ApiClient.signIn(suite.t.app.getHttpServer(), 'demo.localhost', admin.email, admin.password);
    await api.upload('/api/v1/process-definitions', Buffer.from(minimalBpmn(key)), 'senza.bpmn').expect(201);
    const { id } = (await api.post('/api/v1/process-instances', { definitionKey: key }).expect(201)).body as { id: string };
    const page = await signedInPage(suite.browser, suite.t.origin('demo'), admin.email, admin.password, `/processes/${id}`);
    await page.locator('[data-diagram-missing]').waitFor({ state: 'visible' });
    expect(await page.locator('#diagram').isHidden()).toBe(true);
    expect(await page.locator('table.process-history tbody').textContent()).toContain('Attività creata');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('refuses a broken BPMN listing every element problem, then deploys a good one', async () => {
    const key = `pubblica-${tag}`;
    const admin = await createUser(suite.t.app, 'demo', { roles: ['admin'] });
    const page = await signedInPage(suite.browser, suite.t.origin('demo'), admin.email, admin.password, '/processes/definitions');
    expect(await accessibilityViolations(page)).toEqual([]);

    await page
      .getByLabel('File BPMN')
      .setInputFiles({ name: 'rotto.bpmn', mimeType: 'application/xml', buffer: Buffer.from(brokenBpmn(key)) });
    await page.getByRole('button', { name: 'Pubblica' }).click();
    await page.locator('table.bpmn-problems').waitFor();
    const problems = (await page.locator('table.bpmn-problems tbody').textContent()) ?? '';
    expect(problems).toContain('Copione');
    expect(problems).toContain('Esamina la PEC (Esamina)');
    expect(await page.getByRole('alert').textContent()).toContain('Il file non può essere pubblicato.');
    expect(await accessibilityViolations(page)).toEqual([]);

    await page
      .getByLabel('File BPMN')
      .setInputFiles({ name: 'buono.bpmn', mimeType: 'application/xml', buffer: Buffer.from(minimalBpmn(key)) });
    await page.getByRole('button', { name: 'Pubblica' }).click();
    await page.waitForURL(/\/processes\/definitions\?deployed=/);
    expect(await page.getByRole('status').first().textContent()).toContain(`Pubblicato ${key}, versione 1.`);
    expect(await page.locator('tbody').textContent()).toContain(key);

    // A user task naming nobody deploys, and the page says where it will go before anyone starts it.
    await page.getByLabel('File BPMN').setInputFiles({
      name: 'anonimo.bpmn',
      mimeType: 'application/xml',
      buffer: Buffer.from(minimalBpmn(`${key}-anonimo`, { candidateGroups: '' })),
    });
    await page.getByRole('button', { name: 'Pubblica' }).click();
    await page.locator('table.bpmn-problems').waitFor();
    expect(await page.getByRole('status').first().textContent()).toContain(`Pubblicato ${key}-anonimo, versione 1.`);
    expect(await page.locator('table.bpmn-problems caption').textContent()).toContain('Pubblicato, con avvisi da leggere: 1.');
    expect(await page.locator('table.bpmn-problems tbody').textContent()).toContain('andrà agli amministratori');
    expect(await accessibilityViolations(page)).toEqual([]);
  });
});
