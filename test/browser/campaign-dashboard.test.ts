import { randomBytes } from 'node:crypto';
import { ApiClient } from '../support/api-client.js';
import { accessibilityViolations } from '../support/accessibility.js';
import { browserSuite, signedInPage } from '../support/browser.js';
import { setRecipientStates } from '../support/campaign-recipients.js';
import { createUser } from '../support/test-app.js';

describe('campaign dashboard in a browser', () => {
  const tag = randomBytes(4).toString('hex');
  const office = `Cruscotto web ${tag}`;
  const suite = browserSuite();

  it('shows the state icons, updates them live over SSE when a recipient changes state, drills down and resends the failed; axe-clean', async () => {
    const admin = await createUser(suite.t.app, 'demo', { roles: ['admin'] });
    const operator = await createUser(suite.t.app, 'demo', { grants: [{ role: 'operator', office }] });
    const server = suite.t.app.getHttpServer();
    const adminApi = await ApiClient.signIn(server, 'demo.localhost', admin.email, admin.password);
    const offices = (await adminApi.get('/api/v1/admin/offices')).body as { offices: { id: string; path: string }[] };
    const mailbox = (
      await adminApi
        .post('/api/v1/mailboxes', {
          address: `cruscotto-web-${tag}@pec.demo.test`,
          preset: 'local',
          password: 'non-usata',
          officeIds: [offices.offices.find((o) => o.path === office)!.id],
        })
        .expect(201)
    ).body as { id: string };
    const operatorApi = await ApiClient.signIn(server, 'demo.localhost', operator.email, operator.password);
    const csv = `pec;nome\r\nuno-${tag}@pec.example.test;Uno\r\ndue-${tag}@pec.example.test;Due\r\ntre-${tag}@pec.example.test;Tre\r\n`;
    const created = await operatorApi
      .multipart('/api/v1/campaigns', { mailboxId: mailbox.id, name: `Cruscotto ${tag}`, subject: 'Avviso', text: 'Gentile {{nome}}' }, [
        { field: 'recipients', content: Buffer.from(csv), name: 'avvisi.csv' },
      ])
      .expect(201);
    const campaignId = (created.body as { id: string }).id;
    const sentAt = new Date(Date.now() - 120_000);
    // Fixture for what the sending pipeline would have written (another slice moves these rows).
    await setRecipientStates(suite.t.app, 'demo', campaignId, {
      2: { state: 'delivered', sentAt, acceptedAt: sentAt, deliveredAt: new Date(sentAt.getTime() + 60_000) },
      3: { state: 'failed', sentAt, failedAt: new Date(sentAt.getTime() + 60_000), errorCode: '5.1.1', errorText: 'utente sconosciuto' },
    });

    const origin = suite.t.origin('demo');
    const page = await signedInPage(suite.browser, origin, operator.email, operator.password, `/campaigns/${campaignId}`);
    await page.getByRole('link', { name: 'Cruscotto ad icone' }).click();
    await page.getByRole('heading', { name: `Cruscotto: Cruscotto ${tag}` }).waitFor();
    const count = (state: string) => page.locator(`[data-state-count="${state}"]`).textContent();
    expect([await count('queued'), await count('delivered'), await count('failed')]).toEqual(['1', '1', '1']);
    // Words beside every number: the colour is never the only signal.
    expect(await page.locator('.state-tiles').textContent()).toMatch(/1\s*Consegnato[\s\S]*1\s*Non consegnato/);
    expect(await page.getByRole('img', { name: 'Invii e consegne nel tempo' }).count()).toBe(1);
    expect(await accessibilityViolations(page)).toEqual([]);

    // The worker (another process in production) moves row 4: the page learns it from the event stream, not a reload.
    const loaded = await page.evaluate(() => performance.timeOrigin);
    await setRecipientStates(suite.t.app, 'demo', campaignId, { 4: { state: 'delivered', sentAt, deliveredAt: new Date() } });
    await page.waitForFunction(() => document.querySelector('[data-state-count="delivered"]')?.textContent === '2');
    expect(await count('queued')).toBe('0');
    await page.getByRole('status').filter({ hasText: 'Conteggi aggiornati.' }).waitFor({ state: 'attached' });
    expect(await page.evaluate(() => performance.timeOrigin)).toBe(loaded);

    await page.getByRole('link', { name: /1\s*Non consegnato/ }).click();
    await page.waitForURL(/\/recipients\?state=failed$/);
    expect(await page.locator('tbody').textContent()).toContain(`due-${tag}@pec.example.test`);
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.goBack();
    await page.getByRole('button', { name: 'Invia di nuovo ai non consegnati (1)' }).click();
    await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}$/);
    expect(page.url()).not.toContain(campaignId);
    await page.getByRole('heading', { name: `Cruscotto ${tag} — reinvio ai non consegnati` }).waitFor();

    await page.goto(`${origin}/campaign-dashboard`);
    expect(await page.locator('.campaign-rows').textContent()).toContain(`Cruscotto ${tag} — reinvio ai non consegnati`);
    expect(await accessibilityViolations(page)).toEqual([]);
  });
});
