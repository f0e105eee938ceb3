/// <reference lib="dom" />
// Code passed to page.evaluate runs in the browser, hence the DOM types.
import { accessibilityViolations } from '../support/accessibility.js';
import { browserSuite } from '../support/browser.js';
import { createUser } from '../support/test-app.js';

describe('signing in with a browser', () => {
  const suite = browserSuite();
  // Read at run time: the suite starts them in beforeAll.
  const app = () => suite.t;

  it('signs in on demo, changes the password at first sign-in and reaches the desktop', async () => {
    const user = await createUser(app().app, 'demo', { mustChangePassword: true, roles: ['admin'], displayName: 'Paola Prova' });
    const context = await suite.browser.newContext({ locale: 'it-IT' });
    const page = await context.newPage();
    await page.goto(`${app().origin('demo')}/`);
    await page.waitForURL(/\/login/);
    await page.getByLabel('Indirizzo e-mail').fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Accedi' }).click();

    await page.waitForURL(/\/password\/change$/);
    expect(await page.getByRole('status').textContent()).toContain('primo accesso');
    // The desktop stays closed until the password is changed.
    await page.goto(`${app().origin('demo')}/`);
    await page.waitForURL(/\/password\/change$/);

    await page.getByLabel('Password attuale').fill(user.password);
    await page.getByLabel('Nuova password', { exact: true }).fill('corta');
    await page.getByLabel('Ripeti la nuova password').fill('corta');
    await page.getByRole('button', { name: 'Salva la nuova password' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('almeno 12 caratteri');

    await page.getByLabel('Password attuale').fill(user.password);
    await page.getByLabel('Nuova password', { exact: true }).fill('un fiume di parole nuove');
    await page.getByLabel('Ripeti la nuova password').fill('un fiume di parole nuove');
    await page.getByRole('button', { name: 'Salva la nuova password' }).click();

    await page.waitForURL(`${app().origin('demo')}/?passwordChanged=1`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Ciao, Paola Prova');
    const tiles = await page.locator('.tile .tile-label').allTextContents();
    // Then one tile per list of the workspace's solutions the user may see (demo: the help desk's tickets).
    expect(tiles).toEqual([
      'Attività',
      'Posta PEC',
      'Processi',
      'Tempi di servizio',
      'Modelli di processo',
      'Il mio profilo',
      'Utenti',
      'Uffici',
      'Caselle PEC',
      'Campagne PEC',
      'Smistamento PEC',
      'Regole di accesso',
      'Incidenti',
      'Registro attività',
      'API',
      'Segnalazioni',
      'Beats',
    ]);

    // Sign out, then the new password (and only it) works.
    await page.getByRole('button', { name: 'Esci' }).click();
    await page.waitForURL(/\/login\?signedOut=1/);
    await page.getByLabel('Indirizzo e-mail').fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill('un fiume di parole nuove');
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.waitForURL(`${app().origin('demo')}/`);
    await context.close();
  });

  it('shows only the tiles a plain user may use, and fits a phone screen', async () => {
    const user = await createUser(app().app, 'demo', { roles: ['user'] });
    const context = await suite.browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${app().origin('demo')}/login`);
    await page.getByLabel('E-mail address').fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${app().origin('demo')}/`);
    expect(await page.locator('.tile .tile-label').allTextContents()).toEqual(['Tasks', 'PEC mail', 'Processes', 'My profile', 'Tickets']);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await context.close();
  });

  it('brands the demo and acme sign-in pages differently', async () => {
    const context = await suite.browser.newContext({ locale: 'it-IT' });
    const page = await context.newPage();
    const look = async (slug: string) => {
      await page.goto(`${app().origin(slug)}/login`);
      const button = page.getByRole('button', { name: 'Accedi' });
      return {
        heading: await page.getByRole('heading', { level: 1 }).textContent(),
        buttonColour: await button.evaluate((el) => getComputedStyle(el).backgroundColor),
        font: await page.evaluate(() => getComputedStyle(document.body).fontFamily),
        background: await page.locator('.auth-page').evaluate((el) => getComputedStyle(el).backgroundImage),
        logo: await page.locator('img.auth-logo').evaluate((img) => fetch((img as HTMLImageElement).src).then((r) => r.text())),
      };
    };
    const demo = await look('demo');
    const acme = await look('acme');
    expect(demo.heading).toBe('Accedi a Comune di Demo');
    expect(acme.heading).toBe('Accedi a Acme S.p.A.');
    expect(demo.buttonColour).toBe('rgb(11, 79, 138)');
    expect(acme.buttonColour).toBe('rgb(15, 91, 85)');
    expect(demo.font).not.toBe(acme.font);
    expect(demo.background).toContain('login-background.svg');
    expect(demo.logo).not.toBe(acme.logo);
    await context.close();
  });

  it('meets WCAG 2.1 AA on the sign-in, desktop, profile and error pages of both themes', async () => {
    const admin = await createUser(app().app, 'acme', { roles: ['admin'] });
    for (const [slug, email, password] of [
      ['demo', (await createUser(app().app, 'demo', { roles: ['admin'] })).email, 'una passphrase di prova'],
      ['acme', admin.email, admin.password],
    ] as const) {
      const context = await suite.browser.newContext({ locale: 'it-IT' });
      const page = await context.newPage();
      await page.goto(`${app().origin(slug)}/login`);
      expect(await accessibilityViolations(page)).toEqual([]);
      await page.getByLabel('Indirizzo e-mail').fill(email);
      await page.getByLabel('Password', { exact: true }).fill('sbagliata per vedere l’errore');
      await page.getByRole('button', { name: 'Accedi' }).click();
      expect(await accessibilityViolations(page)).toEqual([]);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByRole('button', { name: 'Accedi' }).click();
      await page.waitForURL(`${app().origin(slug)}/`);
      for (const path of ['/', '/profile', '/admin/users', '/password/change', '/nessuna-pagina']) {
        await page.goto(`${app().origin(slug)}${path}`);
        expect({ path, violations: await accessibilityViolations(page) }).toEqual({ path, violations: [] });
      }
      await context.close();
    }
  });

  it('can be used with the keyboard alone', async () => {
    const user = await createUser(app().app, 'demo');
    const context = await suite.browser.newContext({ locale: 'it-IT' });
    const page = await context.newPage();
    await page.goto(`${app().origin('demo')}/login`);
    await page.keyboard.type(user.email); // the e-mail field has the focus on arrival
    await page.keyboard.press('Tab');
    await page.keyboard.type(user.password);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Accedi');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${app().origin('demo')}/`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Vai al contenuto');
    await context.close();
  });
});
