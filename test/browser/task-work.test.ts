import { DataSource } from 'typeorm';
import { accessibilityViolations } from '../support/accessibility.js';
import { ApiClient } from '../support/api-client.js';
import { escalationBpmn } from '../support/bpmn.js';
import { browserSuite, signedInPage } from '../support/browser.js';
import { createUser } from '../support/test-app.js';

// Set before the suite starts its app: a PT1H boundary timer fires after 1 s.
const previousFactor = process.env.PROCESS_CLOCK_FACTOR;
process.env.PROCESS_CLOCK_FACTOR = '3600';

describe('task work in a browser: escalated badge, notes, attachments, delegation', () => {
  const suite = browserSuite();
  const tag = Date.now().toString(36);
  const office = `Segreteria ${tag}`;
  let anna: Awaited<ReturnType<typeof createUser>>;
  let bruno: Awaited<ReturnType<typeof createUser>>;
  let taskId: string;

  afterAll(() => {
    if (previousFactor === undefined) delete process.env.PROCESS_CLOCK_FACTOR;
    else process.env.PROCESS_CLOCK_FACTOR = previousFactor;
  });

  beforeAll(async () => {
    anna = await createUser(suite.t.app, 'demo', { grants: [{ role: 'operator', office }], displayName: `Anna ${tag}` });
    bruno = await createUser(suite.t.app, 'demo', { grants: [{ role: 'operator', office }], displayName: `Bruno ${tag}` });
    const admin = await createUser(suite.t.app, 'demo', { roles: ['admin'] });
    const api = await ApiClient.signIn(suite.t.app.getHttpServer(), 'demo.localhost', admin.email, admin.password);
    const key = `sollecito-${tag}`;
    const bpmn = escalationBpmn(key, { duration: 'PT1H', interrupting: false, candidates: `role:operator@${office}` });
    await api.upload('/api/v1/process-definitions', Buffer.from(bpmn), 'sollecito.bpmn').expect(201);
    const started = await api.post('/api/v1/process-instances', { definitionKey: key, businessKey: `PEC-${tag}`, variables: {} });
    expect(started.status).toBe(201);
    const db = suite.t.app.get(DataSource);
    const instanceId = (started.body as { id: string }).id;
    // The boundary timer's job escalates the task nobody took in charge.
    for (let tries = 0; ; tries += 1) {
      const [row] = await db.query<{ id: string; escalated_at: Date | null }[]>(
        `SELECT id, escalated_at FROM tasks WHERE instance_id = $1 AND element_id = 'Esamina'`,
        [instanceId],
      );
      if (row?.escalated_at) {
        taskId = row.id;
        break;
      }
      if (tries > 150) throw new Error('the task was not escalated');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  it('shows the escalated badge and filter, then lets the assignee annotate, attach and delegate', async () => {
    const page = await signedInPage(suite.browser, suite.t.origin('demo'), anna.email, anna.password, '/tasks');
    const row = page.locator('tbody tr', { hasText: `PEC-${tag}` }).filter({ hasText: 'Esamina' });
    expect(await row.locator('.badge.escalated').textContent()).toBe('Sollecitata');
    expect(await page.locator('[data-count="escalated"]').textContent()).toBe('1');
    await page.getByLabel('Solo sollecitate').check();
    await page.getByRole('button', { name: 'Filtra' }).click();
    await page.waitForURL(/escalated=1/);
    expect(await page.locator('tbody').textContent()).toContain(`PEC-${tag}`);
    expect(await accessibilityViolations(page)).toEqual([]);

    await row.getByRole('button', { name: 'Prendi in carico: Esamina' }).click();
    await page.waitForURL(new RegExp(`/tasks/${taskId}\\?done=claimed$`));
    expect(await page.locator('.facts .badge.escalated').textContent()).toBe('Sollecitata');
    expect(await page.locator('.history').textContent()).toContain('Sollecitata');

    await page.getByLabel('Nuova annotazione').fill('Chiesto il numero di protocollo <b>al mittente</b>');
    await page.getByRole('button', { name: "Aggiungi l'annotazione" }).click();
    await page.waitForURL(/done=annotated$/);
    expect(await page.getByRole('status').first().textContent()).toContain('Annotazione aggiunta.');
    expect(await page.locator('.annotations').textContent()).toContain('Chiesto il numero di protocollo <b>al mittente</b>');
    expect(await page.locator('.annotations').textContent()).toContain(`Anna ${tag}`);

    await page
      .getByLabel('File da allegare')
      .setInputFiles({ name: 'richiesta.txt', mimeType: 'text/plain', buffer: Buffer.from('Testo della richiesta') });
    await page.getByRole('button', { name: 'Allega', exact: true }).click();
    await page.waitForURL(/done=attached$/);
    expect(await page.getByRole('status').first().textContent()).toContain('File allegato.');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'richiesta.txt' }).click()]);
    expect(download.suggestedFilename()).toBe('richiesta.txt');
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByLabel('Affida a').selectOption({ label: `Bruno ${tag}` });
    await page.getByRole('button', { name: 'Delega', exact: true }).click();
    await page.waitForURL(/done=delegated$/);
    expect(await page.getByRole('status').first().textContent()).toContain('Attività delegata.');
    expect(await page.locator('.history').textContent()).toContain(`Affidata a Bruno ${tag} da Anna ${tag}`);

    const brunoPage = await signedInPage(suite.browser, suite.t.origin('demo'), bruno.email, bruno.password, '/tasks?tab=mine');
    expect(await brunoPage.locator('tbody').textContent()).toContain(`PEC-${tag}`);
  });
});
