import type { Page } from 'playwright-core';
import { accessibilityViolations } from '../support/accessibility.js';
import { browserSuite, signedInPage } from '../support/browser.js';
import { createUser } from '../support/test-app.js';

describe('PEC routing rules in a browser', () => {
  const suite = browserSuite();
  const tag = Date.now().toString(36);
  const gare = `Gare ${tag}`;
  const protocollo = `Protocollo ${tag}`;
  const sender = `offerte@pec.gare-${tag}.test`;

  /** The routing test on the page (htmx swaps in the answer). */
  async function verdict(page: Page, subject: string): Promise<string> {
    await page.getByLabel('Mittente', { exact: true }).fill(sender);
    await page.getByLabel('Oggetto', { exact: true }).fill(subject);
    const answered = page.waitForResponse((response) => response.url().endsWith('/admin/pec-routing/test'));
    await page.getByRole('button', { name: 'Prova', exact: true }).click();
    await answered;
    return (await page.locator('#routing-verdict').textContent())!.trim();
  }

  async function newRule(page: Page, fields: { name: string; sender?: string; subjectContains?: string; office: string }): Promise<void> {
    await page.getByRole('link', { name: 'Nuova regola' }).click();
    await page.waitForURL(/\/admin\/pec-routing\/new$/);
    await page.getByLabel('Nome', { exact: true }).fill(fields.name);
    if (fields.sender) await page.getByLabel('Mittente', { exact: true }).fill(fields.sender);
    if (fields.subjectContains) await page.getByLabel('L’oggetto contiene').fill(fields.subjectContains);
    await page.getByLabel('Ufficio', { exact: true }).selectOption({ label: fields.office });
    await page.getByRole('button', { name: 'Salva' }).click();
  }

  it('creates, reorders, edits and deletes a rule, and the routing test shows where a PEC would go', async () => {
    const admin = await createUser(suite.t.app, 'demo', { roles: ['admin'] });
    const page = await signedInPage(suite.browser, suite.t.origin('demo'), admin.email, admin.password);
    for (const office of [gare, protocollo]) {
      await page.goto(`${suite.t.origin('demo')}/admin/offices`);
      await page.getByLabel('Nome dell’ufficio').fill(office);
      await page.getByRole('button', { name: 'Crea l’ufficio' }).click();
      await page.waitForURL(/\/admin\/offices$/);
    }

    await page.goto(`${suite.t.origin('demo')}/`);
    await page.getByRole('link', { name: /Smistamento PEC/ }).click();
    await page.waitForURL(/\/admin\/pec-routing$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Smistamento delle PEC in arrivo');
    expect(await verdict(page, `Offerta ${tag}`)).not.toContain(gare);
    expect(await accessibilityViolations(page)).toEqual([]);
    // Other test files share the demo workspace and may have left rules of their own: this test's
    // rules come after them, so their numbers count from there.
    const workspaceRules = page.locator('table').first().locator('tbody tr');
    const others = await workspaceRules.locator('td.number').count();
    const ruleNumber = (n: number) => `regola ${others + n}`;
    const ourRuleNames = async () =>
      (await workspaceRules.locator('td:nth-child(2)').allTextContents()).filter((name) => name.endsWith(tag));

    // A rule without any condition is refused, with the form kept.
    await newRule(page, { name: `Tutto ${tag}`, office: gare });
    expect(await page.getByRole('alert').locator('li').allTextContents()).toEqual([
      'Indica almeno una condizione; devono valere tutte quelle indicate.',
    ]);
    expect(await page.getByLabel('Nome', { exact: true }).inputValue()).toBe(`Tutto ${tag}`);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.goto(`${suite.t.origin('demo')}/admin/pec-routing`);

    await newRule(page, { name: `Gare ${tag}`, sender: `*@pec.gare-${tag}.test`, office: gare });
    await page.waitForURL(/\/admin\/pec-routing\?saved=1$/);
    expect(await page.getByRole('status').first().textContent()).toContain('Regole salvate');
    expect(await verdict(page, `Offerta ${tag}`)).toBe(`Andrebbe a ${gare}, per la ${ruleNumber(1)} «Gare ${tag}».`);

    // A second rule, added last, then moved up: it now decides first.
    await newRule(page, { name: `Reclami ${tag}`, subjectContains: `reclamo ${tag}`, office: protocollo });
    await page.waitForURL(/saved=1$/);
    expect(await verdict(page, `Reclamo ${tag} sulla gara`)).toBe(`Andrebbe a ${gare}, per la ${ruleNumber(1)} «Gare ${tag}».`);
    await page.getByRole('button', { name: `Su: Reclami ${tag}` }).click();
    await page.waitForURL(/saved=1$/);
    expect(await ourRuleNames()).toEqual([`Reclami ${tag}`, `Gare ${tag}`]);
    expect(await verdict(page, `Reclamo ${tag} sulla gara`)).toBe(`Andrebbe a ${protocollo}, per la ${ruleNumber(1)} «Reclami ${tag}».`);
    expect(await accessibilityViolations(page)).toEqual([]);

    // Edited to another office, then deleted: the sender's rule decides again.
    await page.getByRole('link', { name: `Reclami ${tag}` }).click();
    await page.getByLabel('Ufficio', { exact: true }).selectOption({ label: gare });
    await page.getByRole('button', { name: 'Salva' }).click();
    await page.waitForURL(/saved=1$/);
    expect(await verdict(page, `Reclamo ${tag} sulla gara`)).toBe(`Andrebbe a ${gare}, per la ${ruleNumber(1)} «Reclami ${tag}».`);
    await page.getByRole('button', { name: `Elimina: Reclami ${tag}` }).click();
    await page.waitForURL(/saved=1$/);
    expect(await verdict(page, `Reclamo ${tag} sulla gara`)).toBe(`Andrebbe a ${gare}, per la ${ruleNumber(1)} «Gare ${tag}».`);
    await page.getByRole('button', { name: `Elimina: Gare ${tag}` }).click();
    await page.waitForURL(/saved=1$/);

    // The failed intake starts have their page too, linked from here.
    await page.getByRole('link', { name: 'PEC non avviate' }).click();
    await page.waitForURL(/\/admin\/pec-intake-failures$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('PEC non avviate');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('is not open to an operator', async () => {
    const operator = await createUser(suite.t.app, 'demo', { roles: ['operator'] });
    const page = await signedInPage(suite.browser, suite.t.origin('demo'), operator.email, operator.password, '/admin/pec-routing');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).not.toBe('Smistamento delle PEC in arrivo');
  });
});
