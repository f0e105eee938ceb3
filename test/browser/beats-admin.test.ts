/// <reference lib="dom" />
// Code passed to page.evaluate runs in the browser, hence the DOM types.
import { randomBytes } from 'node:crypto';
import { BeatPacks, italianToday } from '../../src/beats/beat-packs.js';
import { BeatsLedger } from '../../src/beats/beats-ledger.js';
import { TenantContext } from '../../src/db/tenant-context.js';
import { ApiClient } from '../support/api-client.js';
import { accessibilityViolations } from '../support/accessibility.js';
import { browserSuite, signedInPage } from '../support/browser.js';
import { startLocalMail } from '../support/local-mail.js';
import { startPecProvider, type PecProviderHarness } from '../support/pec-provider.js';
import { createTenant, createUser } from '../support/test-app.js';

describe('the beats pages in a browser', () => {
  const tag = randomBytes(4).toString('hex');
  let provider: PecProviderHarness;
  let mail: Awaited<ReturnType<typeof startLocalMail>>;
  beforeAll(async () => {
    // Before the app starts (browserSuite): the low-balance alert mails go to the local relay.
    mail = await startLocalMail();
    provider = await startPecProvider({ PEC_PROVIDER_LATENCY_MS: '50' });
  });
  const suite = browserSuite();
  afterAll(async () => {
    await provider.close();
    await mail.close();
  });

  it('shows balance, packs and usage charts with their tables, sets the threshold, and passes the WCAG AA checks', async () => {
    const { t } = suite;
    const tenant = await createTenant(t.app, `beats-page-${tag}`);
    const admin = await createUser(t.app, tenant.slug, { roles: ['admin'], displayName: `Admin ${tag}` });
    await TenantContext.run({ tenantId: tenant.id, slug: tenant.slug }, async () => {
      await t.app.get(BeatPacks).addHere({ beats: 10000, expires: italianToday(new Date(Date.now() + 20 * 86_400_000)) }, 'system');
      const ledger = t.app.get(BeatsLedger);
      await ledger.debit(`p1-${tag}`, 120, { plug: 'pec.send', units: 120, userId: admin.id });
      await ledger.debit(`p2-${tag}`, 3, { plug: 'pec.receive', units: 3 }, { overdraft: true });
    });

    const page = await signedInPage(suite.browser, t.origin(tenant.slug), admin.email, admin.password, '/');
    const tile = page.getByRole('link', { name: /Beats/ });
    expect(await tile.textContent()).toContain('9877 disponibili · 0 riservati');
    await tile.click();
    await page.waitForURL(/\/admin\/beats$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Beats');
    expect(await page.locator('.beats-figures').textContent()).toContain('9877');
    expect(await page.getByText('in scadenza').count()).toBe(1);
    const byPlug = page.getByRole('img', { name: 'Consumi per servizio' });
    expect(await byPlug.locator('rect').count()).toBe(2);
    await page.locator('#chart-plug-heading').locator('..').getByText('Mostra come tabella').click();
    const table = page.getByRole('table', { name: 'Consumi per servizio' });
    expect(await table.locator('tbody tr').first().textContent()).toMatch(/pec\.send\s*120\s*120\s*1/);
    expect(await page.locator('#chart-plug-heading').locator('..').getByRole('link', { name: 'Esporta XLSX' }).getAttribute('href')).toBe(
      `/admin/beats/export?from=${italianToday().slice(0, 8)}01&to=${italianToday()}&groupBy=plug&format=xlsx`,
    );
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByLabel('Avvisa quando i beats disponibili scendono sotto').fill('9900');
    await page.getByRole('button', { name: 'Salva' }).click();
    await page.waitForURL(/saved=1/);
    expect(await page.getByRole('alert').first().textContent()).toContain('Credito basso: 9877 beats disponibili');
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.setViewportSize({ width: 375, height: 740 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.context().close();
  });

  it('tells the sender what a PEC will cost as the recipients change', async () => {
    const { t } = suite;
    const office = `Beats PEC ${tag}`;
    const address = `beats-${tag}@pec.demo.test`;
    const password = await provider.mailbox(address);
    const tenant = await createTenant(t.app, `beats-pec-${tag}`);
    const admin = await createUser(t.app, tenant.slug, { roles: ['admin'] });
    const operator = await createUser(t.app, tenant.slug, { grants: [{ role: 'operator', office }] });
    await TenantContext.run({ tenantId: tenant.id, slug: tenant.slug }, () =>
      t.app.get(BeatPacks).addHere({ beats: 50, expires: italianToday(new Date(Date.now() + 100 * 86_400_000)) }, 'system'),
    );
    const host = `${tenant.slug}.localhost`;
    const api = await ApiClient.signIn(t.app.getHttpServer(), host, admin.email, admin.password);
    const offices = (await api.get('/api/v1/admin/offices')).body as { offices: { id: string; path: string }[] };
    await api
      .post('/api/v1/mailboxes', {
        address,
        preset: 'local',
        password,
        smtp: { port: provider.port },
        officeIds: [offices.offices.find((o) => o.path === office)!.id],
      })
      .expect(201);

    const page = await signedInPage(suite.browser, t.origin(tenant.slug), operator.email, operator.password, '/pec/messages/new');
    const preview = page.locator('#beats-preview-text');
    expect(await preview.textContent()).toBe('Questo invio userà 0 beats; ne restano 50.');
    await page.getByLabel('A', { exact: true }).fill(`uno-${tag}@pec.acme.test, due-${tag}@pec.acme.test`);
    await page.getByLabel('Cc').fill(`tre-${tag}@pec.acme.test, UNO-${tag}@pec.acme.test`);
    await page.waitForFunction(() => document.querySelector('#beats-preview-text')?.textContent?.includes('userà 3 beats'));
    expect(await preview.textContent()).toBe('Questo invio userà 3 beats; ne restano 47.');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.context().close();
  });
});
