import { accessibilityViolations } from '../support/accessibility.js';
import { browserSuite, signedInPage } from '../support/browser.js';
import { createUser } from '../support/test-app.js';

describe('model-driven pages (help desk) in a browser', () => {
  const suite = browserSuite();
  const tag = Date.now().toString(36);
  const title = `Stampante ${tag}`;

  it('opens the list from the desktop, creates a ticket with the form, sees it listed, and triages it with the task form', async () => {
    const requester = await createUser(suite.t.app, 'demo', { roles: ['user'] });
    const manager = await createUser(suite.t.app, 'demo', { grants: [{ role: 'manager', office: `Assistenza ${tag}` }] });
    const origin = suite.t.origin('demo');

    const page = await signedInPage(suite.browser, origin, requester.email, requester.password, '/');
    await page.getByRole('link', { name: /Segnalazioni/ }).click();
    await page.waitForURL(`${origin}/solutions/helpdesk/ticket`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Segnalazioni');
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'Nuovo' }).click();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByLabel('Oggetto').fill(title);
    await page.getByLabel('Descrizione').fill('Non stampa da ieri.');
    await page.getByLabel('Categoria').selectOption({ label: 'Hardware' });
    await page.getByRole('button', { name: 'Salva' }).click();
    await page.waitForURL(/\/solutions\/helpdesk\/ticket\/[0-9a-f-]{36}\?done=created$/);
    const ticketId = /ticket\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    expect(await page.locator('.facts').textContent()).toContain('Nuova');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: "Invia all'assistenza" }).click();
    await page.waitForURL(/\?done=action$/);
    expect(await page.locator('.facts').textContent()).toContain('Aperta');

    await page.getByRole('link', { name: 'Segnalazioni' }).click();
    await page.getByLabel('Stato').selectOption({ label: 'Aperta' });
    await page.getByRole('button', { name: 'Filtra' }).click();
    await page.waitForURL(/status=open/);
    expect(await page.locator('tbody').textContent()).toContain(title);
    expect(await accessibilityViolations(page)).toEqual([]);

    // The triage task shows the model's form (category, priority) instead of free name/value pairs.
    const triager = await signedInPage(suite.browser, origin, manager.email, manager.password, '/tasks');
    // The business key of the ticket's process is the ticket's id.
    const row = triager.locator('tbody tr', { hasText: ticketId });
    expect(await row.textContent()).toContain('Smista la segnalazione');
    await row.getByRole('button', { name: 'Prendi in carico: Smista la segnalazione' }).click();
    await triager.waitForURL(/\/tasks\/[0-9a-f-]{36}\?done=claimed$/);
    expect(await triager.getByLabel('Categoria').inputValue()).toBe('hardware');
    expect(await triager.getByLabel('Dato', { exact: true }).count()).toBe(0);
    expect(await accessibilityViolations(triager)).toEqual([]);
    await triager.getByLabel('Priorità').selectOption({ label: 'Alta' });
    await triager.getByRole('button', { name: 'Completa' }).click();
    await triager.waitForURL(/\/tasks\?done=completed$/);

    await page.reload();
    const listed = page.locator('tbody tr', { hasText: title });
    expect(await listed.count()).toBe(0);
    await page.goto(`${origin}/solutions/helpdesk/ticket?status=triaged`);
    expect(await page.locator('tbody tr', { hasText: title }).textContent()).toContain('Alta');
  });
});
