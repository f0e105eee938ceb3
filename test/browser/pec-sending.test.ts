import { randomBytes } from 'node:crypto';
import { ApiClient } from '../support/api-client.js';
import { accessibilityViolations } from '../support/accessibility.js';
import { browserSuite, signedInPage } from '../support/browser.js';
import { correlateInbox } from '../support/pec-receipts.js';
import { addOfficeMailbox, startPecProvider, type PecProviderHarness } from '../support/pec-provider.js';
import { createUser } from '../support/test-app.js';

describe('sending a test PEC in a browser', () => {
  const tag = randomBytes(4).toString('hex');
  const office = `Invio PEC ${tag}`;
  const sender = { address: `prova-${tag}@pec.demo.test`, password: '' };
  const recipient = `destinatario-${tag}@pec.acme.test`;
  let provider: PecProviderHarness;
  beforeAll(async () => {
    provider = await startPecProvider({ PEC_PROVIDER_LATENCY_MS: '50' });
    sender.password = await provider.mailbox(sender.address);
    await provider.mailbox(recipient);
  });
  const suite = browserSuite();
  afterAll(async () => {
    await provider.close();
  });

  it('sends from the form and shows the receipts arriving on the message page', async () => {
    const admin = await createUser(suite.t.app, 'demo', { roles: ['admin'] });
    const operator = await createUser(suite.t.app, 'demo', { grants: [{ role: 'operator', office }] });
    const api = await ApiClient.signIn(suite.t.app.getHttpServer(), 'demo.localhost', admin.email, admin.password);
    const mailboxId = await addOfficeMailbox(api, provider, sender, office);

    const page = await signedInPage(suite.browser, suite.t.origin('demo'), operator.email, operator.password, '/pec/messages/new');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByLabel('A', { exact: true }).fill(recipient);
    await page.getByLabel('Oggetto').fill(`Prova dal browser ${tag}`);
    await page.getByLabel('Testo').fill('Buongiorno.');
    await page.getByRole('button', { name: 'Invia' }).click();
    await page.waitForURL(/\/pec\/messages\/[0-9a-f-]{36}$/);
    expect(await accessibilityViolations(page)).toEqual([]);

    // The intake's part, done here: receipts applied while the page is open; htmx brings them in.
    const status = page.locator('#message-status');
    while (!((await status.textContent()) ?? '').includes('ricevuta di avvenuta consegna')) {
      await correlateInbox(suite.t.app, 'demo', mailboxId, sender);
      await page.waitForTimeout(500);
    }
    expect(await status.textContent()).toContain('ricevuta di accettazione');
    expect(await page.locator('h2').first().textContent()).toContain('Consegnato');
    expect(await accessibilityViolations(page)).toEqual([]);
  });
});
