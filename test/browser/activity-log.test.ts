/// <reference lib="dom" />
// Code passed to page.evaluate runs in the browser, hence the DOM types.
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ActivityLog } from '../../src/audit/activity-log.js';
import { TenantContext } from '../../src/db/tenant-context.js';
import { Tenant } from '../../src/tenancy/tenant.entity.js';
import { accessibilityViolations } from '../support/accessibility.js';
import { browserSuite, signedInPage } from '../support/browser.js';
import { createUser } from '../support/test-app.js';

describe('the activity log page in a browser', () => {
  const suite = browserSuite();

  it('filters with the form, offers the exports, and passes the WCAG AA checks', async () => {
    const { t } = suite;
    const tenant = await t.app.get(DataSource).getRepository(Tenant).findOneByOrFail({ slug: 'demo' });
    const run = `browser-${randomBytes(4).toString('hex')}`;
    const log = t.app.get(ActivityLog);
    await TenantContext.run({ tenantId: tenant.id, slug: 'demo' }, async () => {
      await log.record({
        action: 'policy.changed',
        actor: 'system',
        resource: { type: 'test', id: run },
        details: { field: 'ipAllowList' },
      });
      await log.record({ action: 'user.created', actor: 'system', resource: { type: 'test', id: run } });
    });
    const admin = await createUser(t.app, 'demo', { roles: ['admin'] });
    const page = await signedInPage(suite.browser, t.origin('demo'), admin.email, admin.password, '/admin/audit');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Registro attività');

    await page.getByLabel('Identificativo della risorsa').fill(run);
    await page.getByLabel('Azione (o sua parte iniziale)').fill('policy.');
    await page.getByRole('button', { name: 'Filtra' }).click();
    await page.waitForURL(/action=policy\./);
    const rows = page.locator('tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Criteri di accesso modificati');
    expect(await page.getByRole('link', { name: 'Esporta in CSV' }).getAttribute('href')).toBe(
      `/admin/audit/export.csv?action=policy.&resourceId=${run}`,
    );
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.setViewportSize({ width: 375, height: 740 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.context().close();
  });
});
