import { accessibilityViolations } from '../support/accessibility.js';
import { ApiClient } from '../support/api-client.js';
import { minimalBpmn } from '../support/bpmn.js';
import { browserSuite, signedInPage } from '../support/browser.js';
import { createUser } from '../support/test-app.js';

describe('starting a process from the process pages, and finding it by a variable', () => {
  const suite = browserSuite();
  const tag = Date.now().toString(36);

  it('starts the chosen process with a business key and a variable, lands on its page with the task active', async () => {
    const key = `avvio-${tag}`;
    const admin = await createUser(suite.t.app, 'demo', { roles: ['admin'] });
    // Candidates in an office of this test only: the task lands in no other test's inbox.
    const office = `Avvio ${tag}`;
    const operator = await createUser(suite.t.app, 'demo', { grants: [{ role: 'operator', office }] });
    const adminApi = await ApiClient.signIn(suite.t.app.getHttpServer(), 'demo.localhost', admin.email, admin.password);
    const bpmn = minimalBpmn(key, { candidateGroups: `role:operator@${office}` });
    await adminApi.upload('/api/v1/process-definitions', Buffer.from(bpmn), 'avvio.bpmn').expect(201);

    const page = await signedInPage(suite.browser, suite.t.origin('demo'), operator.email, operator.password, '/processes');
    await page.getByRole('link', { name: 'Avvia un processo' }).click();
    await page.waitForURL(/\/processes\/new$/);
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByLabel(`Processo ${key}`).check();
    await page.getByLabel('Riferimento', { exact: true }).fill(`PEC-${tag}`);
    await page.locator('#name1').fill('pratica');
    await page.locator('#value1').fill('P-42');
    await page.getByRole('button', { name: 'Avvia' }).click();
    await page.waitForURL(/\/processes\/[0-9a-f-]{36}\?started=1$/);
    expect(await page.getByRole('status').first().textContent()).toContain('Processo avviato.');
    expect(await page.locator('h1').textContent()).toContain(`PEC-${tag}`);
    expect(await page.locator('.open-tasks').textContent()).toContain('Esamina la PEC');
    expect(await accessibilityViolations(page)).toEqual([]);

    // Back on the list, the variable filter finds it.
    await page.goto(`${suite.t.origin('demo')}/processes`);
    await page.getByLabel('Variabile', { exact: true }).fill('pratica');
    await page.getByLabel('Valore', { exact: true }).fill('P-42');
    await page.getByRole('button', { name: 'Filtra' }).click();
    await page.waitForURL(/varName=pratica/);
    expect(await page.locator('tbody').textContent()).toContain(`PEC-${tag}`);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByLabel('Valore', { exact: true }).fill('P-43');
    await page.getByRole('button', { name: 'Filtra' }).click();
    await page.waitForURL(/varValue=P-43/);
    expect(await page.locator('tbody').textContent()).not.toContain(`PEC-${tag}`);
  });
});
