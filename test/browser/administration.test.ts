import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { accessibilityViolations } from '../support/accessibility.js';
import { browserSuite, signedInPage } from '../support/browser.js';
import { createUser } from '../support/test-app.js';

describe('administration pages in a browser', () => {
  const suite = browserSuite();
  const tag = Date.now().toString(36);

  async function signedInAdmin(): Promise<Page> {
    const admin = await createUser(suite.t.app, 'demo', { roles: ['admin'] });
    return signedInPage(suite.browser, suite.t.origin('demo'), admin.email, admin.password);
  }

  it('creates an office and a person in it, then changes their role', async () => {
    const page = await signedInAdmin();
    await page.getByRole('link', { name: /Uffici/ }).click();
    await page.getByLabel('Nome dell’ufficio').fill(`Tributi ${tag}`);
    await page.getByRole('button', { name: 'Crea l’ufficio' }).click();
    await page.waitForURL(/\/admin\/offices$/);
    expect(await page.locator('.office-tree').textContent()).toContain(`Tributi ${tag}`);
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.goto(`${suite.t.origin('demo')}/admin/users/new`);
    await page.getByLabel('E-mail').fill(`tributi.${tag}@demo.test`);
    await page.getByLabel('Nome', { exact: true }).fill('Tina Tributi');
    await page.getByLabel('Ruolo').selectOption('operator');
    await page.getByLabel('Ufficio').selectOption({ label: `Tributi ${tag}` });
    await page.getByRole('button', { name: 'Salva' }).click();
    await page.waitForURL(/\/admin\/users\/[0-9a-f-]{36}\?saved=1$/);
    expect(await page.locator('main').textContent()).toContain(`Operatore — Tributi ${tag}`);
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByLabel('Ruolo').selectOption('manager');
    await page.getByRole('button', { name: 'Salva' }).click();
    await page.waitForURL(/saved=1$/);
    expect(await page.locator('main').textContent()).toContain('Responsabile');

    await page.goto(`${suite.t.origin('demo')}/admin/users?q=${encodeURIComponent(`tributi.${tag}`)}`);
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('imports a roster: checks it first, then applies it', async () => {
    const page = await signedInAdmin();
    const dir = mkdtempSync(path.join(tmpdir(), 'pecflow-roster-'));
    const file = path.join(dir, 'utenti.csv');
    writeFileSync(
      file,
      Buffer.from(`email;nome;ruoli\r\nimport.${tag}@demo.test;Ivo Importato;operator\r\nsbagliato;Senza Mail;user\r\n`, 'latin1'),
    );
    await page.goto(`${suite.t.origin('demo')}/admin/users-import`);
    await page.getByLabel('File XLSX o CSV').setInputFiles(file);
    await page.getByRole('button', { name: 'Controlla il file' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Prova completata');
    expect(await page.locator('tbody').textContent()).toContain('Indirizzo e-mail non valido.');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Applica l’importazione' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Importazione eseguita');
    await page.goto(`${suite.t.origin('demo')}/admin/users?q=import.${tag}`);
    expect(await page.locator('tbody').textContent()).toContain('Ivo Importato');
  });

  it('keeps roles and groups pages usable and accessible', async () => {
    const page = await signedInAdmin();
    await page.goto(`${suite.t.origin('demo')}/admin/roles`);
    await page.getByLabel('Nome', { exact: true }).fill('Protocollista');
    await page.getByLabel('Chiave').fill(`protocollista-${tag}`);
    await page.getByRole('button', { name: 'Crea il ruolo' }).click();
    await page.waitForURL(/\/admin\/roles$/);
    expect(await page.locator('tbody').textContent()).toContain(`protocollista-${tag}`);
    expect(await accessibilityViolations(page)).toEqual([]);

    const member = await createUser(suite.t.app, 'demo');
    await page.goto(`${suite.t.origin('demo')}/admin/groups`);
    await page.getByLabel('Nome del gruppo').fill(`Commissione ${tag}`);
    await page.getByRole('button', { name: 'Crea il gruppo' }).click();
    await page.waitForURL(/\/admin\/groups$/);
    const group = page.getByRole('region', { name: `Commissione ${tag}` });
    await group.getByLabel('Membri (un indirizzo e-mail per riga)').fill(member.email);
    await group.getByRole('button', { name: 'Salva' }).click();
    await page.waitForURL(/\/admin\/groups$/);
    expect(
      await page
        .getByRole('region', { name: `Commissione ${tag}` })
        .locator('textarea')
        .inputValue(),
    ).toBe(member.email);
    expect(await accessibilityViolations(page)).toEqual([]);
  });
});
