import { randomBytes } from 'node:crypto';
import { ApiClient } from '../support/api-client.js';
import { accessibilityViolations } from '../support/accessibility.js';
import { browserSuite, signedInPage } from '../support/browser.js';
import { windows1252 } from '../support/campaign-files.js';
import { createUser } from '../support/test-app.js';

describe('campaign pages in a browser', () => {
  const tag = randomBytes(4).toString('hex');
  const office = `Campagne web ${tag}`;
  const suite = browserSuite();

  it('lets an operator create a draft from the wizard, follow the import and preview a row; all pages axe-clean', async () => {
    const admin = await createUser(suite.t.app, 'demo', { roles: ['admin'] });
    const operator = await createUser(suite.t.app, 'demo', { grants: [{ role: 'operator', office }] });
    const api = await ApiClient.signIn(suite.t.app.getHttpServer(), 'demo.localhost', admin.email, admin.password);
    const offices = (await api.get('/api/v1/admin/offices')).body as { offices: { id: string; path: string }[] };
    const mailbox = `avvisi-web-${tag}@pec.demo.test`;
    await api
      .post('/api/v1/mailboxes', {
        address: mailbox,
        preset: 'local',
        password: 'non-usata',
        officeIds: [offices.offices.find((o) => o.path === office)!.id],
      })
      .expect(201);

    const page = await signedInPage(suite.browser, suite.t.origin('demo'), operator.email, operator.password);
    await page.getByRole('link', { name: /Campagne PEC/ }).click();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Nuova campagna' }).click();
    expect(await accessibilityViolations(page)).toEqual([]);

    const csv = windows1252(
      `Avvisi ${tag};;\r\npec;nome;importo\r\nuno-${tag}@pec.example.test;Niccolò;€ 5\r\ndue-${tag}@pec.example.test;Àlvaro;€ 6\r\nsbagliato;Terzo;€ 7\r\n`,
    );
    await page.getByLabel('Nome della campagna').fill(`Campagna ${tag}`);
    await page.getByLabel('Casella PEC').selectOption({ label: mailbox });
    await page.getByLabel('File dei destinatari').setInputFiles({ name: 'avvisi.csv', mimeType: 'text/csv', buffer: csv });
    await page.getByLabel('Oggetto').fill('Avviso per {{cognome}}');
    await page.getByLabel('Testo semplice').fill('Importo {{importo}}');
    await page.getByRole('button', { name: 'Crea la bozza' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain(
      'Oggetto: Il modello usa «cognome», ma il file non ha questa colonna.',
    );
    expect(await accessibilityViolations(page)).toEqual([]);

    // The form keeps what was typed; the file has to be chosen again (browsers never refill a file input).
    expect(await page.getByLabel('Testo semplice').inputValue()).toBe('Importo {{importo}}');
    await page.getByLabel('Casella PEC').selectOption({ label: mailbox });
    await page.getByLabel('File dei destinatari').setInputFiles({ name: 'avvisi.csv', mimeType: 'text/csv', buffer: csv });
    await page.getByLabel('Oggetto').fill('Avviso per {{nome}}');
    await page.getByRole('button', { name: 'Crea la bozza' }).click();
    await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'Riepilogo' }).waitFor();
    const summary = await page.locator('#campaign-import').textContent();
    expect(summary).toMatch(/Destinatari\s*2/);
    expect(summary).toMatch(/Righe con errori\s*1/);
    expect(summary).toMatch(/Beats necessari\s*2/);
    expect(summary).toContain('50 al minuto, 500 al giorno');
    expect(await page.locator('.preview').textContent()).toBe('Importo € 5');
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByLabel('Riga').fill('5');
    await page.getByRole('button', { name: 'Mostra la riga' }).click();
    await expect(page.locator('main').textContent()).resolves.toContain('«sbagliato» non è un indirizzo PEC valido.');
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.goto(`${suite.t.origin('demo')}/campaigns`);
    expect(await page.locator('tbody').textContent()).toContain(`Campagna ${tag}`);
  });
});
