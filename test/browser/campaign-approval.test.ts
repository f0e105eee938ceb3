import { randomBytes } from 'node:crypto';
import { ApiClient } from '../support/api-client.js';
import { accessibilityViolations } from '../support/accessibility.js';
import { browserSuite, signedInPage } from '../support/browser.js';
import { eventually } from '../support/eventually.js';
import { createUser } from '../support/test-app.js';

describe('campaign approval in a browser', () => {
  const tag = randomBytes(4).toString('hex');
  const office = `Approvazioni web ${tag}`;
  const suite = browserSuite();

  it('an operator submits, the office manager rejects from the inbox with a reason, then approves; the campaign page shows it all', async () => {
    const admin = await createUser(suite.t.app, 'demo', { roles: ['admin'] });
    const operator = await createUser(suite.t.app, 'demo', { grants: [{ role: 'operator', office }] });
    const manager = await createUser(suite.t.app, 'demo', { grants: [{ role: 'manager', office }], displayName: `Dirigente ${tag}` });
    const api = await ApiClient.signIn(suite.t.app.getHttpServer(), 'demo.localhost', admin.email, admin.password);
    const offices = (await api.get('/api/v1/admin/offices')).body as { offices: { id: string; path: string }[] };
    const mailbox = (
      await api
        .post('/api/v1/mailboxes', {
          address: `approvazioni-${tag}@pec.demo.test`,
          preset: 'local',
          password: 'non-usata',
          officeIds: [offices.offices.find((o) => o.path === office)!.id],
        })
        .expect(201)
    ).body as { id: string };
    const author = await ApiClient.signIn(suite.t.app.getHttpServer(), 'demo.localhost', operator.email, operator.password);
    const csv = `pec;nome\r\nuno-${tag}@pec.example.test;Mario\r\n`;
    const { id } = (
      await author
        .multipart(
          '/api/v1/campaigns',
          { mailboxId: mailbox.id, name: `Approvazione ${tag}`, subject: 'Avviso', text: 'Gentile {{nome}}' },
          [{ field: 'recipients', content: Buffer.from(csv), name: 'avvisi.csv' }],
        )
        .expect(201)
    ).body as { id: string };

    // The author submits from the campaign page (demo: one level of approval).
    const page = await signedInPage(suite.browser, suite.t.origin('demo'), operator.email, operator.password, `/campaigns/${id}`);
    await page.getByRole('button', { name: 'Invia per approvazione' }).click();
    await page.waitForURL(/\?lifecycle=submitted$/);
    const section = page.locator('#campaign-lifecycle');
    expect(await section.textContent()).toContain('In attesa di approvazione: livello 1 di 1.');
    expect(await page.locator('#campaign-import').textContent()).toContain('In approvazione');
    expect(await accessibilityViolations(page)).toEqual([]);

    // The manager finds it in the inbox, opens the campaign from the task, and rejects: first without a reason.
    const approver = await signedInPage(suite.browser, suite.t.origin('demo'), manager.email, manager.password, '/tasks');
    const row = approver.locator('tbody tr', { hasText: `campaign:${id}` });
    await row.getByRole('button', { name: 'Prendi in carico: Approva la campagna (1° livello)' }).click();
    await approver.waitForURL(/\/tasks\/[0-9a-f-]{36}\?done=claimed$/);
    expect(await approver.getByRole('link', { name: 'Apri la campagna' }).getAttribute('href')).toBe(`/campaigns/${id}`);
    expect(await accessibilityViolations(approver)).toEqual([]);
    await approver.getByLabel('Decisione').selectOption({ label: 'Respingi' });
    await approver.getByRole('button', { name: 'Completa' }).click();
    expect(await approver.getByRole('alert').textContent()).toContain('Per respingere la campagna indica il motivo.');
    await approver.getByLabel('Decisione').selectOption({ label: 'Respingi' });
    await approver.getByLabel('Motivo (obbligatorio se respingi)').fill('Manca l’informativa privacy');
    await approver.getByRole('button', { name: 'Completa' }).click();
    await approver.waitForURL(/\/tasks\?done=completed$/);

    // Back in draft: the author reads why, and who said it.
    await page.goto(`${suite.t.origin('demo')}/campaigns/${id}`);
    await page.getByRole('alert').filter({ hasText: 'Manca l’informativa privacy' }).waitFor();
    expect(await page.getByRole('alert').first().textContent()).toContain('Respinta: Manca l’informativa privacy');
    const history = await page.locator('#campaign-lifecycle table').textContent();
    expect(history).toContain(`Dirigente ${tag}`);
    expect(history).toContain('Respinta (1° livello)');
    expect(await accessibilityViolations(page)).toEqual([]);

    // Submitted again and approved: launched.
    await page.getByRole('button', { name: 'Invia per approvazione' }).click();
    await page.waitForURL(/\?lifecycle=submitted$/);
    await approver.goto(`${suite.t.origin('demo')}/tasks`);
    await approver
      .locator('tbody tr', { hasText: `campaign:${id}` })
      .getByRole('button', { name: 'Prendi in carico: Approva la campagna (1° livello)' })
      .click();
    await approver.waitForURL(/\?done=claimed$/);
    await approver.getByLabel('Decisione').selectOption({ label: 'Approva' });
    await approver.getByRole('button', { name: 'Completa' }).click();
    await approver.waitForURL(/\/tasks\?done=completed$/);
    // The launch is a service task the worker runs just after the approval.
    await eventually(async () => {
      await page.goto(`${suite.t.origin('demo')}/campaigns/${id}`);
      return (await page.locator('#campaign-import').textContent())?.includes('In invio');
    }, 20_000);
    expect(await page.locator('#campaign-lifecycle table').textContent()).toContain('Approvata (1° livello)');
    expect(await page.getByRole('button', { name: 'Invia per approvazione' }).count()).toBe(0);

    // Launched (the mailbox's provider is not reachable here, so it stays sending): pause, resume, cancel.
    await page.getByRole('button', { name: 'Metti in pausa' }).click();
    await page.waitForURL(/\?lifecycle=paused$/);
    expect(await page.locator('#campaign-import').textContent()).toContain('In pausa');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: "Riprendi l'invio" }).click();
    await page.waitForURL(/\?lifecycle=resumed$/);
    expect(await page.locator('#campaign-import').textContent()).toContain('In invio');
    await page.getByRole('button', { name: 'Annulla la campagna' }).click();
    await page.waitForURL(/\?lifecycle=cancelled$/);
    expect(await page.locator('#campaign-import').textContent()).toContain('Annullata');
    expect(await page.getByRole('button', { name: 'Metti in pausa' }).count()).toBe(0);
  });
});
