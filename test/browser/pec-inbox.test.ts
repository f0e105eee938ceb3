import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiClient } from '../support/api-client.js';
import { accessibilityViolations } from '../support/accessibility.js';
import { addLocalMailbox } from '../support/pec-mailboxes.js';
import { browserSuite, signedInPage } from '../support/browser.js';
import { startPecProvider, type PecProviderHarness } from '../support/pec-provider.js';
import { createUser } from '../support/test-app.js';

describe('the PEC inbox page', () => {
  const tag = randomBytes(4).toString('hex');
  const office = `Posta ${tag}`;
  const box = { address: `archivio-${tag}@pec.demo.test`, password: '' };
  const recipient = `ente-${tag}@pec.acme.test`;
  let provider: PecProviderHarness;
  beforeAll(async () => {
    provider = await startPecProvider({ PEC_PROVIDER_LATENCY_MS: '20' });
    box.password = await provider.mailbox(box.address);
    await provider.mailbox(recipient);
  });
  const suite = browserSuite();
  afterAll(async () => {
    await provider.close();
  });

  it('searches Italian word forms, opens a message and exports the selection, axe-clean on a phone too', async () => {
    const admin = await createUser(suite.t.app, 'demo', { roles: ['admin'] });
    const operator = await createUser(suite.t.app, 'demo', { grants: [{ role: 'operator', office }] });
    const api = await ApiClient.signIn(suite.t.app.getHttpServer(), 'demo.localhost', admin.email, admin.password);
    const mailboxId = await addLocalMailbox(api, provider, box, office);
    for (const subject of [`Raccomandate ${tag}`, `Delibera ${tag}`])
      await api.post('/api/v1/messages', { mailboxId, to: [recipient], subject, text: 'Si trasmettono gli atti.' }).expect(202);

    const page = await signedInPage(suite.browser, suite.t.origin('demo'), operator.email, operator.password, '/');
    await page.getByRole('link', { name: /Posta PEC/ }).click();
    await page.waitForURL(/\/pec\/messages$/);
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByRole('searchbox', { name: 'Cerca' }).fill(`raccomandata ${tag}`);
    await page.getByLabel('Casella').selectOption({ label: box.address });
    // Sent messages only: the mailbox's receipts quote the subject too, and whether the intake has read
    // them yet depends on how fast the machine is.
    await page.getByLabel('Direzione').selectOption({ label: 'Inviato' });
    await page.getByRole('button', { name: 'Cerca', exact: true }).click();
    await page.waitForURL(/q=raccomandata/);
    const rows = page.locator('tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(`Raccomandate ${tag}`);
    expect(await rows.first().locator('.badge').first().textContent()).toBe('Inviato');
    expect(await accessibilityViolations(page)).toEqual([]);

    // The selection's export downloads a ZIP holding that one message.
    await page.getByRole('checkbox', { name: `Seleziona: Raccomandate ${tag}` }).check();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Esporta i selezionati (ZIP di .eml)' }).click(),
    ]);
    const dir = mkdtempSync(path.join(tmpdir(), 'pec-inbox-'));
    try {
      await download.saveAs(path.join(dir, 'export.zip'));
      execFileSync('unzip', ['-q', path.join(dir, 'export.zip'), '-d', path.join(dir, 'out')]);
      expect(readdirSync(path.join(dir, 'out'))).toEqual([expect.stringMatching(/_Raccomandate-[0-9a-f]+_[0-9a-f-]{36}\.eml$/)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    await page.getByRole('link', { name: `Raccomandate ${tag}` }).click();
    await page.waitForURL(/\/pec\/messages\/[0-9a-f-]{36}$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`Raccomandate ${tag}`);

    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${suite.t.origin('demo')}/pec/messages?q=${tag}&direction=out`);
    expect(await rows.count()).toBe(2);
    expect(await accessibilityViolations(page)).toEqual([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
