import { jest } from '@jest/globals';
import ExcelJS from 'exceljs';
import { randomBytes } from 'node:crypto';
import { ApiClient } from '../support/api-client.js';
import { windows1252, xlsx, zip } from '../support/campaign-files.js';
import { eventually } from '../support/eventually.js';
import { countMail } from '../support/local-mail.js';
import { startPecProvider, type PecProviderHarness } from '../support/pec-provider.js';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';

// Mailbox creation waits for Dovecot to re-read its users file; the test send waits for the provider's delivery.
jest.setTimeout(120_000);

interface Created {
  id: string;
  recipients: number | null;
  invalid: number | null;
  beatsNeeded: number | null;
  import: { state: string; rows: number; error: string | null };
}
interface CampaignBody extends Created {
  status: string;
  counts: Record<string, number>;
  estimate: { perMinute: number; perDay: number; estimatedSeconds: number; beatsPerRecipient: number };
  columns: string[];
  attachments: { filename: string; size: number }[];
  recipientAttachments: number;
}
interface PreviewBody {
  row: number;
  address: string;
  valid: boolean;
  errors: { column: string; code: string; message: string }[];
  subject: string | null;
  html: string | null;
  text: string | null;
}
interface ProblemBody {
  status: number;
  detail?: string;
  errors?: { field: string; message: string }[];
}

const tag = randomBytes(4).toString('hex');
const office = `Campagne ${tag}`;
const otherOffice = `Altro ufficio ${tag}`;
const sender = { address: `avvisi-${tag}@pec.demo.test`, password: '' };
const tester = { address: `verifica-${tag}@pec.acme.test`, password: '' };
const addr = (name: string) => `${name}-${tag}@pec.example.test`;

describe('campaigns: drafts, recipients import, templates, attachments', () => {
  let t: TestApp;
  let provider: PecProviderHarness;
  let operator: ApiClient;
  let otherOperator: ApiClient;
  let plainUser: ApiClient;
  let acmeAdmin: ApiClient;
  let mailboxId: string;

  beforeAll(async () => {
    provider = await startPecProvider({ PEC_PROVIDER_LATENCY_MS: '20' });
    [sender.password, tester.password] = await Promise.all([provider.mailbox(sender.address), provider.mailbox(tester.address)]);
    t = await startTestApp();
    const server = t.app.getHttpServer();
    const admin = await createUser(t.app, 'demo', { roles: ['admin'] });
    const op = await createUser(t.app, 'demo', { grants: [{ role: 'operator', office }] });
    const other = await createUser(t.app, 'demo', { grants: [{ role: 'operator', office: otherOffice }] });
    const user = await createUser(t.app, 'demo', { grants: [{ role: 'user', office }] });
    const acme = await createUser(t.app, 'acme', { roles: ['admin'] });
    const adminApi = await ApiClient.signIn(server, 'demo.localhost', admin.email, admin.password);
    operator = await ApiClient.signIn(server, 'demo.localhost', op.email, op.password);
    otherOperator = await ApiClient.signIn(server, 'demo.localhost', other.email, other.password);
    plainUser = await ApiClient.signIn(server, 'demo.localhost', user.email, user.password);
    acmeAdmin = await ApiClient.signIn(server, 'acme.localhost', acme.email, acme.password);
    const offices = (await adminApi.get('/api/v1/admin/offices')).body as { offices: { id: string; path: string }[] };
    const created = await adminApi
      .post('/api/v1/mailboxes', {
        address: sender.address,
        preset: 'local',
        password: sender.password,
        smtp: { port: provider.port },
        profile: 'massiva-s',
        officeIds: [offices.offices.find((o) => o.path === office)!.id],
      })
      .expect(201);
    mailboxId = (created.body as { id: string }).id;
  });

  afterAll(async () => {
    await t?.close();
    await provider?.close();
  });

  const create = (client: ApiClient, fields: Record<string, string>, files: { field: string; content: Buffer; name: string }[]) =>
    client.multipart('/api/v1/campaigns', { mailboxId, name: `Avvisi ${tag}`, subject: 'Avviso per {{nome}}', ...fields }, files);

  it('imports an Italian Excel CSV (;, Windows-1252, title rows): accents and € intact, invalid and duplicate rows reported', async () => {
    const csv = windows1252(
      [
        'Elenco avvisi di pagamento 2026;;;',
        ';;;',
        'PEC;nome;importo;città',
        `${addr('mario')};Mario Rossi;€ 10,50;Forlì`,
        `${addr('lucia')};Lucia Bianchi <b>;€ 7,00;Città di Castello`,
        ';;;',
        `non-un-indirizzo;Anna Verdi;€ 1,00;Roma`,
        `${addr('MARIO')};Mario Rossi di nuovo;€ 10,50;Forlì`,
        `${addr('piero')};;€ 3,00;Pesaro`,
      ].join('\r\n'),
    );
    const res = await create(
      operator,
      { html: '<p>Gentile {{nome}}, importo {{importo}} ({{città}}).</p>', text: 'Gentile {{nome}}: {{importo}}' },
      [{ field: 'recipients', content: csv, name: 'avvisi.csv' }],
    ).expect(201);
    const created = res.body as Created;
    expect(created).toMatchObject({ recipients: 2, invalid: 3, beatsNeeded: 2, import: { state: 'done', rows: 5 } });

    const campaign = (await operator.get(`/api/v1/campaigns/${created.id}`).expect(200)).body as CampaignBody;
    expect(campaign.columns).toEqual(['PEC', 'nome', 'importo', 'città']);
    expect(campaign.counts).toMatchObject({ total: 2, queued: 2, sent: 0, accepted: 0, delivered: 0, failed: 0, warned: 0, invalid: 3 });
    // massiva-s: 500 a minute, so two PEC take a few seconds; one beat each (the demo's price of pec.send).
    expect(campaign.estimate).toMatchObject({ perMinute: 500, perDay: 50_000, estimatedSeconds: 1, beatsPerRecipient: 1 });

    const preview = (await operator.get(`/api/v1/campaigns/${created.id}/preview?row=5`).expect(200)).body as PreviewBody;
    expect(preview).toMatchObject({ row: 5, address: addr('lucia'), valid: true, subject: 'Avviso per Lucia Bianchi <b>' });
    // Variables are HTML-escaped in the HTML body only.
    expect(preview.html).toBe('<p>Gentile Lucia Bianchi &lt;b&gt;, importo € 7,00 (Città di Castello).</p>');
    expect(preview.text).toBe('Gentile Lucia Bianchi <b>: € 7,00');

    const first = (await operator.get(`/api/v1/campaigns/${created.id}/preview`).expect(200)).body as PreviewBody;
    expect(first).toMatchObject({ row: 4, subject: 'Avviso per Mario Rossi' });
    expect(first.html).toContain('Forlì');

    const duplicate = (await operator.get(`/api/v1/campaigns/${created.id}/preview?row=8`).expect(200)).body as PreviewBody;
    expect(duplicate).toMatchObject({ valid: false, subject: null });
    expect(duplicate.errors).toEqual([
      { column: 'PEC', code: 'duplicate', message: 'Indirizzo già presente alla riga 4: la stessa PEC non si invia due volte.' },
    ]);

    const report = await operator.download(`/api/v1/campaigns/${created.id}/errors.csv`);
    expect(report.status).toBe(200);
    const lines = report.body
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines).toEqual([
      'Riga;Indirizzo;Colonna;Errore',
      '7;non-un-indirizzo;PEC;«non-un-indirizzo» non è un indirizzo PEC valido.',
      `8;${addr('mario')};PEC;Indirizzo già presente alla riga 4: la stessa PEC non si invia due volte.`,
      `9;${addr('piero')};nome;La colonna «nome» è vuota, ma i modelli la usano.`,
    ]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(new Uint8Array((await operator.download(`/api/v1/campaigns/${created.id}/errors.xlsx`)).body).buffer);
    expect(workbook.worksheets[0]!.getRow(3).values).toEqual([undefined, '8', addr('mario'), 'PEC', expect.stringContaining('riga 4')]);

    // The campaign report: a summary, then the sendable recipients (invalid rows are in the error report), still queued.
    const xlsxReport = await operator.download(`/api/v1/campaigns/${created.id}/report.xlsx`);
    expect(xlsxReport.headers['content-disposition']).toContain('rapporto-');
    const outcomes = new ExcelJS.Workbook();
    await outcomes.xlsx.load(new Uint8Array(xlsxReport.body).buffer);
    expect(outcomes.worksheets.map((sheet) => sheet.name)).toEqual(['Riepilogo', 'Destinatari']);
    const sheet = outcomes.getWorksheet('Destinatari')!;
    expect(sheet.rowCount).toBe(3);
    expect([2, 3].map((n) => [1, 2, 3].map((c) => sheet.getRow(n).getCell(c).value))).toEqual([
      [4, addr('mario'), 'In coda'],
      [5, addr('lucia'), 'In coda'],
    ]);
    const pdfReport = await operator.download(`/api/v1/campaigns/${created.id}/report.pdf`);
    expect(pdfReport.headers['content-type']).toBe('application/pdf');
    expect(pdfReport.body.subarray(0, 5).toString()).toBe('%PDF-');
    await operator.get(`/api/v1/campaigns/${created.id}/report.docx`).expect(422);
  });

  it('imports an XLSX below a title row, reading hyperlinks, formula results and rich text', async () => {
    const file = await xlsx([
      ['Campagna di prova', null, null],
      [],
      ['pec', 'nome', 'totale'],
      [{ text: addr('link'), hyperlink: `mailto:${addr('link')}` }, 'Con collegamento', { formula: '2*21', result: 42 }],
      [{ formula: `HYPERLINK("mailto:${addr('formula')}","scrivi qui")`, result: 'scrivi qui' }, 'Da formula', 7],
      [addr('ricco'), { richText: [{ text: 'Testo ' }, { font: { bold: true }, text: 'ricco' }] }, 1],
      [],
      [addr('ultimo'), 'Ultimo', { formula: 'SUM(C4:C6)', result: 50 }],
    ]);
    const res = await create(operator, { subject: 'Totale {{totale}} per {{nome}}', text: 'Buongiorno {{nome}}.' }, [
      { field: 'recipients', content: file, name: 'destinatari.xlsx' },
    ]).expect(201);
    const created = res.body as Created;
    expect(created).toMatchObject({ recipients: 4, invalid: 0, beatsNeeded: 4 });
    const preview = async (row: number) =>
      (await operator.get(`/api/v1/campaigns/${created.id}/preview?row=${row}`).expect(200)).body as PreviewBody;
    expect(await preview(4)).toMatchObject({ address: addr('link'), subject: 'Totale 42 per Con collegamento' });
    expect(await preview(5)).toMatchObject({ address: addr('formula'), subject: 'Totale 7 per Da formula' });
    expect(await preview(6)).toMatchObject({ address: addr('ricco'), text: 'Buongiorno Testo ricco.' });
    expect(await preview(8)).toMatchObject({ address: addr('ultimo'), subject: 'Totale 50 per Ultimo' });
  });

  it('refuses templates that name a missing column or use more than variables, in the user’s language', async () => {
    const csv = Buffer.from(`pec,nome\n${addr('t1')},Uno\n`, 'utf8');
    const files = [{ field: 'recipients', content: csv, name: 'a.csv' }];
    const res = await create(
      operator,
      { subject: 'Per {{cognome}}', html: '{{#each nome}}x{{/each}}{{constructor}}', text: '{{nome' },
      files,
    ).expect(422);
    expect((res.body as ProblemBody).errors).toEqual([
      { field: 'subject', message: 'Il modello usa «cognome», ma il file non ha questa colonna.' },
      { field: 'html', message: 'Il modello usa «each», che non è permesso: solo variabili e {{#if}} / {{#unless}}.' },
      { field: 'html', message: 'Il modello usa «constructor», ma il file non ha questa colonna.' },
      { field: 'text', message: expect.stringMatching(/^Modello non valido: /) },
    ]);
    const english = await create(operator, { subject: 'Per {{cognome}}', text: 'x' }, files).set('Accept-Language', 'en').expect(422);
    expect((english.body as ProblemBody).errors).toEqual([
      { field: 'subject', message: 'The template uses “cognome”, but the file has no such column.' },
    ]);
    // No address column, no campaign; neither html nor text, no campaign.
    const noColumn = await create(operator, { text: 'x', addressColumn: 'indirizzo' }, files).expect(422);
    expect((noColumn.body as ProblemBody).errors).toEqual([{ field: 'recipients', message: 'Manca la colonna obbligatoria «indirizzo».' }]);
    const noBody = await create(operator, {}, files).expect(422);
    expect((noBody.body as ProblemBody).errors?.map((e) => e.field)).toEqual(['html']);
  });

  it('matches per-recipient attachments from a ZIP by column, and refuses rows whose file is missing or too large', async () => {
    const csv = Buffer.from(
      `\uFEFFpec,nome,allegato\n${addr('z1')},Uno,avviso-1.pdf\n${addr('z2')},Due,cartella/AVVISO-2.PDF\n${addr('z3')},Tre,manca.pdf\n${addr('z4')},Quattro,enorme.pdf\n`,
      'utf8',
    );
    const archive = await zip({
      'avviso-1.pdf': '%PDF-1.4 uno',
      'cartella/AVVISO-2.PDF': '%PDF-1.4 due',
      // massiva-s allows 1 MB a message: 900 KB become 1.2 MB in base64.
      'enorme.pdf': randomBytes(900 * 1024),
    });
    const res = await create(operator, { text: 'Allegato per {{nome}}', attachmentColumn: 'allegato' }, [
      { field: 'recipients', content: csv, name: 'a.csv' },
      { field: 'recipientAttachments', content: archive, name: 'allegati.zip' },
      { field: 'attachments', content: Buffer.from('Informativa'), name: 'informativa.txt' },
    ]).expect(201);
    const created = res.body as Created;
    expect(created).toMatchObject({ recipients: 2, invalid: 2 });
    const campaign = (await operator.get(`/api/v1/campaigns/${created.id}`).expect(200)).body as CampaignBody;
    expect(campaign).toMatchObject({ recipientAttachments: 3, attachments: [{ filename: 'informativa.txt', size: 11 }] });
    const errors = async (row: number) =>
      ((await operator.get(`/api/v1/campaigns/${created.id}/preview?row=${row}`).expect(200)).body as PreviewBody).errors;
    expect(await errors(3)).toEqual([]);
    expect((await errors(4))[0]).toMatchObject({ column: 'allegato', code: 'attachment-not-found' });
    expect((await errors(5))[0]).toMatchObject({ column: 'allegato', code: 'too-large' });

    // A ZIP that reaches out of its folder is refused whole, and so is a ZIP without the column that names its files.
    const hostile = await zip({ '../../etc/avviso-1.pdf': 'x' });
    const refused = await create(operator, { text: 'x', attachmentColumn: 'allegato' }, [
      { field: 'recipients', content: csv, name: 'a.csv' },
      { field: 'recipientAttachments', content: hostile, name: 'allegati.zip' },
    ]).expect(422);
    expect((refused.body as ProblemBody).errors).toEqual([
      { field: 'recipientAttachments', message: 'Lo ZIP contiene un percorso non ammesso: «../../etc/avviso-1.pdf».' },
    ]);
    const noColumn = await create(operator, { text: 'x' }, [
      { field: 'recipients', content: csv, name: 'a.csv' },
      { field: 'recipientAttachments', content: archive, name: 'allegati.zip' },
    ]).expect(422);
    expect((noColumn.body as ProblemBody).errors?.map((e) => e.field)).toEqual(['attachmentColumn']);
  });

  it('test-sends one row’s PEC from the campaign’s mailbox, and it arrives at the chosen address', async () => {
    const csv = Buffer.from(`pec;nome\n${addr('vero')};Giulia Neri\n`, 'utf8');
    const created = (
      await create(operator, { subject: `Prova ${tag} per {{nome}}`, text: 'Gentile {{nome}}.' }, [
        { field: 'recipients', content: csv, name: 'a.csv' },
      ]).expect(201)
    ).body as Created;
    await operator.post(`/api/v1/campaigns/${created.id}/test-send`, { to: tester.address }).expect(202);
    await eventually(
      async () => (await countMail(tester.address, tester.password, new RegExp(`^POSTA CERTIFICATA: Prova ${tag} per Giulia Neri$`))) === 1,
      30_000,
      500,
    );
  });

  it('keeps campaigns to their workspace, their mailbox’s offices and the roles that may send', async () => {
    const csv = Buffer.from(`pec\n${addr('riservato')}\n`, 'utf8');
    const files = [{ field: 'recipients', content: csv, name: 'a.csv' }];
    const created = (await create(operator, { subject: 'Riservato', text: 'x' }, files).expect(201)).body as Created;
    const listed = (await operator.get('/api/v1/campaigns').expect(200)).body as { campaigns: { id: string }[] };
    expect(listed.campaigns.map((c) => c.id)).toContain(created.id);

    await acmeAdmin.get(`/api/v1/campaigns/${created.id}`).expect(404);
    await acmeAdmin.get(`/api/v1/campaigns/${created.id}/preview`).expect(404);
    await acmeAdmin.get(`/api/v1/campaigns/${created.id}/errors.csv`).expect(404);
    const acmeList = (await acmeAdmin.get('/api/v1/campaigns').expect(200)).body as { campaigns: { id: string }[] };
    expect(acmeList.campaigns.map((c) => c.id)).not.toContain(created.id);
    // The same token on the other workspace's host is not a way in either.
    await acmeAdmin.on('demo.localhost').get(`/api/v1/campaigns/${created.id}`).expect(401);

    await otherOperator.get(`/api/v1/campaigns/${created.id}`).expect(404);
    await create(otherOperator, { text: 'x' }, files).expect(404);
    await create(acmeAdmin.on('acme.localhost'), { text: 'x' }, files).expect(404);
    await plainUser.get('/api/v1/campaigns').expect(403);
    await create(plainUser, { text: 'x' }, files).expect(403);
  });
});
