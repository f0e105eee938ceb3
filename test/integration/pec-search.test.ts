import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { DataSource } from 'typeorm';
import { SecretBox } from '../../src/secrets/secret-box.js';
import { ApiClient } from '../support/api-client.js';
import { unzip } from '../support/unzip.js';
import { eventually } from '../support/eventually.js';
import { addLocalMailbox } from '../support/pec-mailboxes.js';
import { correlateInbox } from '../support/pec-receipts.js';
import { startPecProvider, type PecProviderHarness } from '../support/pec-provider.js';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';

// Mailbox creation waits for Dovecot to re-read its users file (whole seconds).
jest.setTimeout(150_000);

interface Item {
  id: string;
  entry: string;
  direction: string;
  kind: string;
  subject: string;
  relatedId: string | null;
}
interface Page {
  items: Item[];
  total: number;
  totalCapped: boolean;
  nextCursor: string | null;
}

const tag = randomBytes(4).toString('hex');
const protocollo = { address: `protocollo-${tag}@pec.demo.test`, password: '' };
const ragioneria = { address: `ragioneria-${tag}@pec.demo.test`, password: '' };
const recipient = { address: `fornitore-${tag}@pec.acme.test`, password: '' };
const officeA = `Protocollo ${tag}`;
const officeB = `Ragioneria ${tag}`;

describe('PEC inbox: search, filters, paging, visibility, export', () => {
  let t: TestApp;
  let provider: PecProviderHarness;
  let admin: ApiClient;
  let operatorA: ApiClient;
  let operatorB: ApiClient;
  let acmeAdmin: ApiClient;
  const mailbox: Record<'a' | 'b', string> = { a: '', b: '' };
  const sent: Record<string, string> = {};

  beforeAll(async () => {
    provider = await startPecProvider({ PEC_PROVIDER_LATENCY_MS: '20' });
    [protocollo.password, ragioneria.password, recipient.password] = await Promise.all([
      provider.mailbox(protocollo.address),
      provider.mailbox(ragioneria.address),
      provider.mailbox(recipient.address),
    ]);
    t = await startTestApp();
    const server = t.app.getHttpServer();
    const a = await createUser(t.app, 'demo', { roles: ['admin'] });
    const opA = await createUser(t.app, 'demo', { grants: [{ role: 'operator', office: officeA }] });
    const opB = await createUser(t.app, 'demo', { grants: [{ role: 'operator', office: officeB }] });
    const acme = await createUser(t.app, 'acme', { roles: ['admin'] });
    admin = await ApiClient.signIn(server, 'demo.localhost', a.email, a.password);
    operatorA = await ApiClient.signIn(server, 'demo.localhost', opA.email, opA.password);
    operatorB = await ApiClient.signIn(server, 'demo.localhost', opB.email, opB.password);
    acmeAdmin = await ApiClient.signIn(server, 'acme.localhost', acme.email, acme.password);
    mailbox.a = await addLocalMailbox(admin, provider, protocollo, officeA);
    mailbox.b = await addLocalMailbox(admin, provider, ragioneria, officeB);
    const send = async (key: string, box: string, body: Record<string, unknown>) => {
      const res = await admin.post('/api/v1/messages', { mailboxId: box, to: [recipient.address], ...body }).expect(202);
      sent[key] = (res.body as { id: string }).id;
    };
    await send('raccomandate', mailbox.a, {
      subject: `Raccomandate ${tag} del mese`,
      text: 'Si trasmettono in allegato le fatture elettroniche del comune.',
      attachments: [
        { filename: 'verbale_assemblea.pdf', contentType: 'application/pdf', contentBase64: Buffer.from('%PDF').toString('base64') },
      ],
    });
    await send('convocazione', mailbox.a, {
      subject: `Convocazione ${tag}`,
      html: '<p>La riunione è <b>rinviata</b> a lunedì.</p>\nFrom the desk of the secretary',
    });
    await send('ragioneria', mailbox.b, { subject: `Raccomandata ${tag} alla ragioneria`, text: 'Pagamenti in scadenza.' });
  });

  afterAll(async () => {
    await t?.close();
    await provider?.close();
  });

  const list = async (client: ApiClient, query: string) => (await client.get(`/api/v1/messages?${query}`).expect(200)).body as Page;
  const subjects = (page: Page) => page.items.map((item) => item.subject).sort();

  it('finds Italian word forms in subject, body, attachment names and addresses', async () => {
    expect(subjects(await list(admin, `q=${encodeURIComponent(`raccomandata ${tag}`)}`))).toEqual([
      `Raccomandata ${tag} alla ragioneria`,
      `Raccomandate ${tag} del mese`,
    ]);
    // Body words (stored as lexemes only, the text stays sealed), html without its tags, attachment names.
    expect(subjects(await list(admin, `q=${encodeURIComponent(`fattura ${tag}`)}`))).toEqual([`Raccomandate ${tag} del mese`]);
    expect(subjects(await list(admin, `q=${encodeURIComponent(`rinviato ${tag}`)}`))).toEqual([`Convocazione ${tag}`]);
    expect(subjects(await list(admin, `q=${encodeURIComponent(`verbale ${tag}`)}`))).toEqual([`Raccomandate ${tag} del mese`]);
    expect(subjects(await list(admin, `q=${encodeURIComponent(`ragioneria-${tag}@pec.demo.test`)}`))).toEqual([
      `Raccomandata ${tag} alla ragioneria`,
    ]);
    expect(subjects(await list(admin, `q=${encodeURIComponent(`raccomandata ${tag} -ragioneria`)}`))).toEqual([
      `Raccomandate ${tag} del mese`,
    ]);
  });

  it('combines filters: mailbox, direction, kind, status, sender, recipient, dates', async () => {
    const q = `q=${encodeURIComponent(`raccomandata ${tag}`)}`;
    expect(subjects(await list(admin, `${q}&mailboxId=${mailbox.a}`))).toEqual([`Raccomandate ${tag} del mese`]);
    expect(subjects(await list(admin, `${q}&sender=${ragioneria.address}`))).toEqual([`Raccomandata ${tag} alla ragioneria`]);
    expect((await list(admin, `${q}&recipient=${recipient.address}&direction=out&kind=posta-certificata`)).items).toHaveLength(2);
    expect((await list(admin, `${q}&direction=in`)).items).toHaveLength(0);
    expect((await list(admin, `${q}&kind=anomalia`)).items).toHaveLength(0);
    expect((await list(admin, `${q}&since=2000-01-01&until=2000-01-02`)).items).toHaveLength(0);
    expect((await list(admin, `${q}&status=unmatched`)).items).toHaveLength(0);
    const problem = await admin.get('/api/v1/messages?direction=sideways&cursor=nonsense').expect(422);
    expect((problem.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort()).toEqual(['cursor', 'direction']);
  });

  it('pages with a cursor that stays put while messages arrive', async () => {
    const subject = `Pagina ${tag}`;
    for (let i = 0; i < 5; i += 1)
      await admin.post('/api/v1/messages', { mailboxId: mailbox.a, to: [recipient.address], subject: `${subject} ${i}` }).expect(202);
    const query = `q=${encodeURIComponent(`pagina ${tag}`)}&pageSize=2`;
    const first = await list(admin, query);
    expect(first.total).toBe(5);
    expect(first.totalCapped).toBe(false);
    // A newer message lands between the pages: the next page neither repeats nor skips a row.
    await admin.post('/api/v1/messages', { mailboxId: mailbox.a, to: [recipient.address], subject: `${subject} 5` }).expect(202);
    const seen = [...first.items];
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await list(admin, `${query}&cursor=${cursor}`);
      seen.push(...page.items);
      cursor = page.nextCursor;
    }
    expect(seen.map((item) => item.subject)).toEqual([4, 3, 2, 1, 0].map((i) => `${subject} ${i}`));
  });

  it('shows each office its mailboxes only, and another workspace nothing', async () => {
    const q = `q=${encodeURIComponent(`raccomandata ${tag}`)}`;
    expect(subjects(await list(operatorA, q))).toEqual([`Raccomandate ${tag} del mese`]);
    expect(subjects(await list(operatorB, q))).toEqual([`Raccomandata ${tag} alla ragioneria`]);
    expect((await list(operatorB, `${q}&mailboxId=${mailbox.a}`)).items).toHaveLength(0);
    expect((await list(acmeAdmin, q)).items).toHaveLength(0);
    expect((await list(acmeAdmin, `mailboxId=${mailbox.a}`)).items).toHaveLength(0);
    await acmeAdmin.get(`/api/v1/messages/${sent.raccomandate}`).expect(404);
    const zip = await acmeAdmin.download(`/api/v1/messages/export.zip?ids=${sent.raccomandate}`);
    expect(zip.status).toBe(200);
    expect(unzip(zip.body)).toEqual({});
    const mbox = await operatorB.download(`/api/v1/messages/export.mbox?mailboxId=${mailbox.a}`);
    expect(mbox.body.length).toBe(0);
  });

  it('lists the receipts read with entry=receipt, linked to their message', async () => {
    const receipts = await eventually(async () => {
      await correlateInbox(t.app, 'demo', mailbox.a, protocollo);
      const page = await list(operatorA, `entry=receipt&q=${encodeURIComponent(`raccomandate ${tag}`)}&kind=accettazione&status=matched`);
      return page.items.length > 0 && page;
    }, 30_000);
    expect(receipts.items[0]).toMatchObject({ entry: 'receipt', direction: 'in', kind: 'accettazione', relatedId: sent.raccomandate });
    const all = await list(operatorA, `entry=all&q=${encodeURIComponent(`raccomandate ${tag}`)}`);
    expect(all.items.map((item) => item.entry)).toEqual(expect.arrayContaining(['message', 'receipt']));
    expect((await list(operatorB, `entry=receipt&q=${encodeURIComponent(`raccomandate ${tag}`)}`)).items).toHaveLength(0);
  });

  it('exports the selected messages as .eml in a ZIP, byte-identical, and records who exported what', async () => {
    const ids = [sent.raccomandate!, sent.convocazione!];
    const zip = await operatorA.download(`/api/v1/messages/export.zip?ids=${ids.join(',')}`);
    expect(zip.status).toBe(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    const files = unzip(zip.body);
    expect(Object.keys(files)).toHaveLength(2);
    for (const id of ids) {
      const name = Object.keys(files).find((file) => file.endsWith(`_${id}.eml`));
      expect(name).toBeDefined();
      expect(files[name!]!.equals(await storedSource(id))).toBe(true);
    }
    // The same selection through POST, and an id of another office's mailbox is simply not there.
    const posted = await operatorA
      .post('/api/v1/messages/export.zip', { ids: [sent.raccomandate, sent.ragioneria] })
      .buffer(true)
      .parse((stream, done) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(Object.keys(unzip(posted.body as Buffer))).toEqual([expect.stringMatching(new RegExp(`_${sent.raccomandate}\\.eml$`))]);
    const audit = await admin.get('/api/v1/audit?action=pec.messages-exported').expect(200);
    const entries = (audit.body as { entries: { details: { count: number; ids?: string[]; format: string } }[] }).entries;
    expect(
      entries.some((entry) => entry.details.format === 'zip' && entry.details.count === 2 && entry.details.ids?.join() === ids.join()),
    ).toBe(true);
  });

  it('exports a whole mailbox, filtered, as mboxrd that parses back to the same messages', async () => {
    const res = await operatorA.download(`/api/v1/messages/export.mbox?mailboxId=${mailbox.a}&q=${encodeURIComponent(tag)}`);
    expect(res.headers['content-type']).toBe('application/mbox');
    // nodemailer leaves the HTML line as it is: the mbox must quote it.
    expect(res.body.toString('latin1')).toMatch(/^>From the desk of the secretary/m);
    const messages = splitMboxrd(res.body);
    const expected = (await list(operatorA, `mailboxId=${mailbox.a}&q=${encodeURIComponent(tag)}&pageSize=200`)).items;
    expect(messages).toHaveLength(expected.length);
    for (const [index, item] of expected.entries()) {
      const source = await storedSource(item.id);
      expect(messages[index]!.equals(Buffer.from(source.toString('latin1').replace(/\r\n/g, '\n'), 'latin1'))).toBe(true);
      const parsed = await simpleParser(messages[index]!);
      expect(parsed.subject).toBe(item.subject);
    }
    // The HTML body's "From the desk" line came back unquoted.
    const convocazione = await simpleParser(messages[expected.findIndex((item) => item.id === sent.convocazione)]!);
    expect(convocazione.html).toContain('From the desk of the secretary');
  });

  async function storedSource(id: string): Promise<Buffer> {
    const [row] = await t.app.get(DataSource).query<{ source: Buffer }[]>('SELECT source FROM pec_messages WHERE id = $1', [id]);
    return t.app.get(SecretBox).openBytes(row!.source, `pec-message:${id}`);
  }
});

/** mboxrd reading: split on `From ` separator lines, drop the blank line before each, strip one `>` from `>+From `. */
function splitMboxrd(mbox: Buffer): Buffer[] {
  const text = mbox.toString('latin1');
  if (text === '') return [];
  return text
    .split(/^From [^\n]*\n/m)
    .slice(1)
    .map((message) => Buffer.from(message.replace(/\n$/, '').replace(/^>(>*From )/gm, '$1'), 'latin1'));
}
