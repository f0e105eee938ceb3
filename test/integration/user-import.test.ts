import ExcelJS from 'exceljs';
import { ApiClient } from '../support/api-client.js';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';

interface Report {
  dryRun: boolean;
  rows: { row: number; email: string; status: string; errors: { code: string; message: string }[] }[];
}

/** Windows-1252 for the Italian letters used here (they coincide with Latin-1). */
const cp1252 = (text: string) => Buffer.from(text.replace(/\n/g, '\r\n'), 'latin1');

describe('bulk provisioning from XLSX and CSV', () => {
  let t: TestApp;
  let admin: ApiClient;
  const tag = Date.now().toString(36);
  const office = `Import ${tag}`;

  beforeAll(async () => {
    t = await startTestApp();
    const person = await createUser(t.app, 'demo', { roles: ['admin'], grants: [{ role: 'admin', office: `${office}/Protocollo` }] });
    admin = await ApiClient.signIn(t.app.getHttpServer(), 'demo.localhost', person.email, person.password);
  });
  afterAll(async () => {
    await t.close();
  });

  const emails = (rows: Report['rows']) => rows.map((r) => `${r.row}:${r.status}`);

  it('reports every row in a dry run without writing, then applies the same decisions', async () => {
    const existing = await createUser(t.app, 'demo', { displayName: 'Già Presente' });
    const csv = cp1252(
      [
        'Elenco utenti del Comune;;;;',
        'E-mail;Nome e cognome;Ruoli;Uffici;Stato',
        `niccolo.${tag}@demo.test;Niccolò Perché;operator;${office}/Protocollo;attivo`,
        `${existing.email};Già Presente Rinominato;"manager@${office}";;`,
        `non-una-mail;Nessuno;operator;;`,
        `dup.${tag}@demo.test;Primo;user;;`,
        `DUP.${tag}@demo.test;Secondo;user;;`,
        `ruolo.${tag}@demo.test;Ruolo Strano;sovrano;;`,
        `ufficio.${tag}@demo.test;Ufficio Strano;operator;Nessun Posto;`,
        `${existing.email.replace('@', '+no@')};Da Disattivare;;;disattivato`,
      ].join('\n') + '\n',
    );
    const dry = await admin.upload('/api/v1/admin/users/import?dryRun=true', csv, 'utenti.csv');
    expect(dry.status).toBe(200);
    const report = dry.body as Report;
    expect(report.dryRun).toBe(true);
    expect(emails(report.rows)).toEqual(['3:created', '4:updated', '5:error', '6:created', '7:error', '8:error', '9:error', '10:error']);
    expect(report.rows[0]!.email).toBe(`niccolo.${tag}@demo.test`);
    expect(report.rows[2]!.errors[0]!.message).toBe('Indirizzo e-mail non valido.');
    expect(report.rows[4]!.errors[0]!.message).toBe('E-mail già presente alla riga 6.');
    expect(report.rows[5]!.errors[0]!.message).toContain('sovrano');
    expect(report.rows[6]!.errors[0]!.message).toContain('Nessun Posto');
    expect(report.rows[7]!.errors[0]!.code).toBe('unknown-user');
    const before = (await admin.get(`/api/v1/admin/users?q=${encodeURIComponent(`${tag}@demo.test`)}`)).body as { users: unknown[] };
    expect(before.users).toHaveLength(0);

    const real = (await admin.upload('/api/v1/admin/users/import?dryRun=false', csv, 'utenti.csv')).body as Report;
    expect(emails(real.rows)).toEqual(emails(report.rows));
    const created = (await admin.get(`/api/v1/admin/users?q=${encodeURIComponent(`niccolo.${tag}`)}`)).body as {
      users: { displayName: string; grants: { role: string; office: string }[] }[];
    };
    expect(created.users[0]).toMatchObject({
      displayName: 'Niccolò Perché',
      grants: [{ role: 'operator', office: `${office}/Protocollo` }],
    });
    const updated = (await admin.get(`/api/v1/admin/users/${existing.id}`)).body as {
      displayName: string;
      grants: { role: string; office: string }[];
    };
    expect(updated.displayName).toBe('Già Presente Rinominato');
    expect(updated.grants).toEqual([expect.objectContaining({ role: 'manager', office })]);
  });

  it('reads XLSX with hyperlinks and formulas, and disables users', async () => {
    const target = await createUser(t.app, 'demo');
    const sheet = new ExcelJS.Workbook();
    const ws = sheet.addWorksheet('Utenti');
    ws.addRow(['email', 'nome', 'ruoli', 'stato']);
    ws.addRow([
      { text: `link.${tag}@demo.test`, hyperlink: `mailto:link.${tag}@demo.test` },
      { formula: '"Lia"&" "&"Link"', result: 'Lia Link' },
      'operator',
      'sì',
    ]);
    ws.addRow([target.email, '', '', 'disattivo']);
    const file = Buffer.from(await sheet.xlsx.writeBuffer());
    const report = (await admin.upload('/api/v1/admin/users/import?dryRun=false', file, 'utenti.xlsx')).body as Report;
    expect(emails(report.rows)).toEqual(['2:created', '3:disabled']);
    expect(((await admin.get(`/api/v1/admin/users/${target.id}`)).body as { status: string }).status).toBe('blocked');
    const link = (await admin.get(`/api/v1/admin/users?q=link.${tag}`)).body as { users: { displayName: string }[] };
    expect(link.users[0]!.displayName).toBe('Lia Link');
  });

  it('refuses a file it cannot read with a clear, translated problem', async () => {
    const broken = await admin.upload(
      '/api/v1/admin/users/import?dryRun=true',
      Buffer.from('PK\u0003\u0004 not really a zip'),
      'utenti.xlsx',
    );
    expect(broken.status).toBe(400);
    expect(broken.body.detail).toMatch(/danneggiato|non è un foglio/);
    const noEmail = await admin.upload('/api/v1/admin/users/import?dryRun=true', Buffer.from('nome;ruoli\nA;user\n'), 'x.csv');
    expect(noEmail.status).toBe(400);
    expect(noEmail.body.detail).toBe('Manca la colonna obbligatoria «email».');
    expect((await admin.post('/api/v1/admin/users/import?dryRun=true')).status).toBe(400);
  });

  it('exports users and roles in a form the import takes back unchanged', async () => {
    const csv = await admin.download('/api/v1/admin/users/export?format=csv');
    expect(csv.status).toBe(200);
    const body = csv.body;
    expect(body.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(body.toString('utf8')).toContain(`operator@${office}/Protocollo`);
    const back = (await admin.upload('/api/v1/admin/users/import?dryRun=true', body, 'export.csv')).body as Report;
    expect(back.rows.every((r) => r.status === 'updated' || r.status === 'disabled')).toBe(true);

    const xlsx = await admin.download('/api/v1/admin/users/export?format=xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(new Uint8Array(xlsx.body).buffer);
    expect(book.worksheets[0]!.rowCount).toBeGreaterThan(1);
  });
});
