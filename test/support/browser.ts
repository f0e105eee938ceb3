import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from './test-app.js';

const CHROMIUM = '/usr/bin/chromium';

/** Debian's Chromium, headless, with no traffic of its own (the machine has no outside network). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/services.sh --with-chromium (npm test does)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** The app and a browser for one test file, started before its tests and closed after. */
export function browserSuite(): { readonly t: TestApp; readonly browser: Browser } {
  const state = {} as { t: TestApp; browser: Browser };
  beforeAll(async () => {
    state.t = await startTestApp();
    state.browser = await launchBrowser();
  });
  afterAll(async () => {
    await state.browser.close();
    await state.t.close();
  });
  return state;
}

/** A fresh Italian browser context signed in through the real sign-in form; `path` is where to land. */
export async function signedInPage(browser: Browser, origin: string, email: string, password: string, path = '/'): Promise<Page> {
  const page = await (await browser.newContext({ locale: 'it-IT' })).newPage();
  await page.goto(`${origin}/login?next=${encodeURIComponent(path)}`);
  await page.getByLabel('Indirizzo e-mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Accedi' }).click();
  await page.waitForURL(`${origin}${path}`);
  return page;
}
