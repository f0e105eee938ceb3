/// <reference lib="dom" />
// Code passed to page.evaluate runs in the browser, hence the DOM types.
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';

describe('signing in with a browser', () => {
  let t: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
    await t.close();
  });

  it('signs in on demo, changes the password at first sign-in and reaches the desktop', async () => {
    const user = await createUser(t.app, 'demo', { mustChangePassword: true, roles: ['admin'], displayName: 'Paola Prova' });
    const context = await browser.newContext({ locale: 'it-IT' });
    const page = await context.newPage();
    await page.goto(`${t.origin('demo')}/`);
    await page.waitForURL(/\/login/);
    await page.getByLabel('Indirizzo e-mail').fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Accedi' }).click();

    await page.waitForURL(/\/password\/change$/);
    expect(await page.getByRole('status').textContent()).toContain('primo accesso');
    // The desktop stays closed until the password is changed.
    await page.goto(`${t.origin('demo')}/`);
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

    await page.waitForURL(`${t.origin('demo')}/?passwordChanged=1`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Benvenuto, Paola Prova');
    const tiles = await page.locator('.tile .tile-label').allTextContents();
    expect(tiles).toEqual(['Il mio profilo', 'Utenti', 'API']);

    // Sign out, then the new password (and only it) works.
    await page.getByRole('button', { name: 'Esci' }).click();
    await page.waitForURL(/\/login\?signedOut=1/);
    await page.getByLabel('Indirizzo e-mail').fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill('un fiume di parole nuove');
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.waitForURL(`${t.origin('demo')}/`);
    await context.close();
  });

  it('shows only the tiles a plain user may use, and fits a phone screen', async () => {
    const user = await createUser(t.app, 'demo', { roles: ['user'] });
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${t.origin('demo')}/login`);
    await page.getByLabel('E-mail address').fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${t.origin('demo')}/`);
    expect(await page.locator('.tile .tile-label').allTextContents()).toEqual(['My profile']);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await context.close();
  });

  it('brands the demo and acme sign-in pages differently', async () => {
    const context = await browser.newContext({ locale: 'it-IT' });
    const page = await context.newPage();
    const look = async (slug: string) => {
      await page.goto(`${t.origin(slug)}/login`);
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
});
