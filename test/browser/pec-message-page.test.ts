import { randomBytes } from 'node:crypto';
import { parsePec } from '../../src/pec/pec-parser.js';
import { ApiClient } from '../support/api-client.js';
import { accessibilityViolations } from '../support/accessibility.js';
import { browserSuite, signedInPage } from '../support/browser.js';
import { eventually } from '../support/eventually.js';
import { readMailboxes } from '../support/pec-intake.js';
import { addOfficeMailbox, startPecProvider, waitForMessages, type PecProviderHarness } from '../support/pec-provider.js';
import { createUser } from '../support/test-app.js';

const ONE_PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

describe('reading an incoming PEC and replying in a browser', () => {
  const tag = randomBytes(4).toString('hex');
  const office = `Sportello PEC ${tag}`;
  const ours = { address: `sportello-${tag}@pec.demo.test`, password: '' };
  const citizen = { address: `richiedente-${tag}@pec.acme.test`, password: '' };
  let provider: PecProviderHarness;
  let intake: { stop(): Promise<void> } | undefined;
  beforeAll(async () => {
    provider = await startPecProvider({ PEC_PROVIDER_LATENCY_MS: '50' });
    [ours.password, citizen.password] = await Promise.all([provider.mailbox(ours.address), provider.mailbox(citizen.address)]);
  });
  const suite = browserSuite();
  afterAll(async () => {
    await intake?.stop();
    await provider.close();
  });

  it('shows the message with its files, its own inline image and no remote content, and sends the reply from the prefilled form', async () => {
    const admin = await createUser(suite.t.app, 'demo', { roles: ['admin'] });
    const operator = await createUser(suite.t.app, 'demo', { grants: [{ role: 'operator', office }] });
    const api = await ApiClient.signIn(suite.t.app.getHttpServer(), 'demo.localhost', admin.email, admin.password);
    const mailboxId = await addOfficeMailbox(api, provider, ours, office);
    intake = await readMailboxes(suite.t.app, 'demo', [{ id: mailboxId, ...ours }]);
    await provider.send(citizen, {
      to: ours.address,
      subject: `Richiesta accesso atti ${tag}`,
      text: 'Chiedo copia della delibera.',
      html:
        '<h1>Richiesta</h1><p>Chiedo copia della <i>delibera</i>.</p><img src="http://127.0.0.1:9/pixel.gif" alt="firma">' +
        `<img src="cid:stemma.${tag}@comune.test" alt="stemma del comune">`,
      // nodemailer puts a part with a cid into multipart/related beside the HTML: an inline image.
      attachments: [
        { filename: 'documento.txt', content: 'carta d’identità' },
        { filename: 'stemma.png', content: ONE_PIXEL_PNG, contentType: 'image/png', cid: `stemma.${tag}@comune.test` },
      ],
    });
    const id = await eventually(async () => {
      const page = (await api.get(`/api/v1/messages?direction=in&mailboxId=${mailboxId}`).expect(200)).body as {
        items: { id: string; subject: string }[];
      };
      return page.items.find((item) => item.subject === `Richiesta accesso atti ${tag}`)?.id;
    }, 30_000);

    const page = await signedInPage(suite.browser, suite.t.origin('demo'), operator.email, operator.password, `/pec/messages/${id}`);
    const remote: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes(':9/')) remote.push(request.url());
    });
    await page.reload();
    expect(await page.locator('h1').textContent()).toBe(`Richiesta accesso atti ${tag}`);
    expect(await page.locator('.mail-body').textContent()).toContain('Chiedo copia della delibera.');
    expect(await page.locator('.mail-body').textContent()).toContain('[firma]');
    const { attachments, body } = (await api.get(`/api/v1/messages/${id}`).expect(200)).body as {
      attachments: { key: string; name: string }[];
      body: { html: string };
    };
    const key = (name: string) => attachments.find((file) => file.name === name)!.key;
    expect(await page.getByRole('link', { name: 'documento.txt' }).getAttribute('href')).toBe(
      `/pec/messages/${id}/attachments/${key('documento.txt')}`,
    );
    // The inline image comes from our own download route (the page's; the API's HTML names the API's) and is drawn.
    const stemma = page.locator('.mail-body img[alt="stemma del comune"]');
    expect(await stemma.getAttribute('src')).toBe(`/pec/messages/${id}/attachments/${key('stemma.png')}`);
    expect(await stemma.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : -1))).toBe(1);
    expect(body.html).toContain(`<img src="/api/v1/messages/${id}/attachments/${key('stemma.png')}" alt="stemma del comune" />`);
    expect(body.html).not.toContain('127.0.0.1:9');
    expect(await page.getByText('Valida', { exact: true }).count()).toBe(1);
    expect(remote).toEqual([]);
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'Rispondi' }).click();
    await page.waitForURL(/\/pec\/messages\/new\?replyTo=/);
    expect(await page.getByLabel('A', { exact: true }).inputValue()).toBe(citizen.address);
    expect(await page.getByLabel('Oggetto').inputValue()).toBe(`Re: Richiesta accesso atti ${tag}`);
    expect(await page.getByLabel('Testo').inputValue()).toContain('> Chiedo copia della delibera.');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page
      .getByLabel('Allegati', { exact: true })
      .setInputFiles({ name: 'delibera.txt', mimeType: 'text/plain', buffer: Buffer.from('Delibera n. 12') });
    await page.getByRole('button', { name: 'Invia' }).click();
    await page.waitForURL(/\/pec\/messages\/[0-9a-f-]{36}$/);
    expect(await page.getByRole('link', { name: 'delibera.txt' }).count()).toBe(1);

    const [busta] = await waitForMessages(
      citizen.address,
      citizen.password,
      (raw) => raw.includes(Buffer.from(`POSTA CERTIFICATA: Re: Richiesta accesso atti ${tag}`)),
      1,
      30_000,
    );
    const parsed = await parsePec(busta!);
    const original = (await api.get(`/api/v1/messages/${id}`).expect(200)).body as { messageId: string };
    expect(parsed.original!.inReplyTo).toBe(original.messageId);
    expect(parsed.original!.attachments.map((file) => file.filename)).toEqual(['delibera.txt']);
  });
});
