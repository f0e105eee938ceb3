import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config/load-config.js';
import { accessibilityViolations } from '../support/accessibility.js';
import { browserSuite, signedInPage } from '../support/browser.js';
import { startLocalMail } from '../support/local-mail.js';
import { createUser } from '../support/test-app.js';

describe('PEC mailbox pages in a browser', () => {
  const tag = randomBytes(4).toString('hex');
  const office = `Protocollo PEC ${tag}`;
  let mail: Awaited<ReturnType<typeof startLocalMail>>;
  // The relay must be up before the app starts (it reads SMTP_URL), so this hook comes first.
  beforeAll(async () => {
    mail = await startLocalMail();
  });
  const suite = browserSuite();
  afterAll(async () => {
    await mail.close();
  });

  it('lets an admin create a mailbox from the form, probe it and see the result; operators of its office read it and send from it', async () => {
    const address = `casella-${tag}@pec.demo.test`;
    const password = await mail.mailbox(address);
    const admin = await createUser(suite.t.app, 'demo', { roles: ['admin'] });
    const operator = await createUser(suite.t.app, 'demo', { grants: [{ role: 'operator', office }] });
    const page = await signedInPage(suite.browser, suite.t.origin('demo'), admin.email, admin.password);

    await page.getByRole('link', { name: /Caselle PEC/ }).click();
    await page.getByRole('link', { name: 'Nuova casella' }).click();
    expect(await accessibilityViolations(page)).toEqual([]);

    // A provider preset fills its fixed servers; the local one fills ours and lets them be changed.
    await page.getByLabel('Gestore').selectOption('namirial');
    expect(await page.getByLabel('Server SMTP').inputValue()).toBe('smtps.sicurezzapostale.it');
    expect(await page.getByLabel('Server SMTP').getAttribute('readonly')).not.toBeNull();
    await page.getByLabel('Gestore').selectOption('local');
    expect(await page.getByLabel('Porta SMTP').inputValue()).toBe('2526');
    expect(await page.getByLabel('Server SMTP').getAttribute('readonly')).toBeNull();
    await page.getByLabel('Profilo').selectOption('massiva-s');
    expect(await page.getByLabel('Messaggi al minuto').inputValue()).toBe('500');

    // Submitting without a password: the form comes back with the reason, in Italian.
    await page.getByLabel('Indirizzo PEC').fill(address);
    await page.getByRole('button', { name: 'Crea la casella' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Password: Campo obbligatorio.');

    await page.getByLabel('Porta SMTP').fill(new URL(process.env.SMTP_URL!).port);
    await page.getByLabel('Porta IMAP').fill(String(loadConfig().DOVECOT_IMAP_PORT));
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel(office).check();
    await page.getByRole('button', { name: 'Crea la casella' }).click();
    await page.waitForURL(/\/admin\/mailboxes\/[0-9a-f-]{36}\?saved=1$/);
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
    expect(await page.content()).not.toContain(password);
    expect(await page.locator('#probe-result').textContent()).toContain('Da verificare');
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Verifica la connessione' }).click();
    await page.locator('#probe-result', { hasText: 'Esito della verifica' }).waitFor();
    const result = await page.locator('#probe-result').textContent();
    expect(result).toContain('Collegata');
    expect(result).toContain('SMTP: accesso riuscito');
    expect(result).toContain('IMAP: accesso riuscito');
    expect(page.url()).toMatch(/\?saved=1$/); // htmx swapped the result in place
    expect(await accessibilityViolations(page)).toEqual([]);

    const reader = await signedInPage(suite.browser, suite.t.origin('demo'), operator.email, operator.password, '/admin/mailboxes');
    expect(await reader.locator('tbody').textContent()).toContain(address);
    expect(await reader.getByRole('link', { name: 'Nuova casella' }).count()).toBe(0);
    expect(await accessibilityViolations(reader)).toEqual([]);
    // Operators send from their office's mailboxes: the list leads to the test-PEC page.
    await reader.getByRole('link', { name: 'Invia una PEC' }).click();
    await reader.waitForURL(/\/pec\/messages\/new$/);
    expect(await reader.getByLabel('Casella mittente').textContent()).toContain(address);
  });
});
