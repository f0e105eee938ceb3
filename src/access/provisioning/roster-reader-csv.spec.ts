import { randomBytes } from 'node:crypto';
import { readRoster, RosterFileError, type RosterFileErrorCode } from './roster-reader.js';

// Windows-1252 as Italian Excel's plain "CSV" writes it: Latin-1 except 0x80-0x9F, which hold typographic characters.
const CP1252_HIGH: Record<string, number> = {
  '€': 0x80,
  '‚': 0x82,
  '„': 0x84,
  '…': 0x85,
  '‘': 0x91,
  '’': 0x92,
  '“': 0x93,
  '”': 0x94,
  '–': 0x96,
  '—': 0x97,
};

function windows1252(text: string): Buffer {
  return Buffer.from(
    Array.from(text, (char) => {
      const code = char.codePointAt(0)!;
      const byte = CP1252_HIGH[char] ?? (code < 0x80 || (code >= 0xa0 && code <= 0xff) ? code : undefined);
      if (byte === undefined) throw new Error(`not in Windows-1252: ${char}`);
      return byte;
    }),
  );
}

const utf8Bom = (text: string): Buffer => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);

async function fileError(
  file: Buffer,
  name = 'utenti.csv',
): Promise<{ code: RosterFileErrorCode; params: Record<string, string | number> }> {
  try {
    await readRoster(file, name);
  } catch (error) {
    if (error instanceof RosterFileError) return { code: error.code, params: error.params };
    throw error;
  }
  throw new Error('no RosterFileError');
}

describe('readRoster on CSV', () => {
  it("reads Italian Excel's ';' Windows-1252 CSV with accents, a title row and quoted lists", async () => {
    const csv = windows1252(
      [
        'Elenco utenti – Comune di Perché;;;;',
        ';;;;',
        'E-mail;Nome e cognome;Ruoli;Uffici;Attivo',
        'Niccolo.Alberti@Comune.it ;Niccolò Àlberti;"operator; manager";Direzione > Protocollo;sì',
        'perche@comune.it;Perché D’Annunzio;user;;No',
        ';;;;',
        '',
      ].join('\r\n'),
    );
    const { rows, headerRow, ignoredColumns } = await readRoster(csv, 'utenti.csv', 'text/csv');
    expect(headerRow).toBe(3);
    expect(ignoredColumns).toEqual([]);
    expect(rows).toEqual([
      {
        row: 4,
        email: 'niccolo.alberti@comune.it',
        name: 'Niccolò Àlberti',
        roles: ['operator', 'manager'],
        offices: ['Direzione/Protocollo'],
        memberships: [
          { role: 'operator', office: 'Direzione/Protocollo' },
          { role: 'manager', office: 'Direzione/Protocollo' },
        ],
        status: 'active',
        errors: [],
      },
      {
        row: 5,
        email: 'perche@comune.it',
        name: 'Perché D’Annunzio',
        roles: ['user'],
        offices: [],
        memberships: [{ role: 'user', office: null }],
        status: 'disabled',
        errors: [],
      },
    ]);
  });

  it('reads UTF-8 with a BOM, comma-separated, with quoted commas, line breaks and quotes in cells', async () => {
    const csv = utf8Bom(
      'email,name,roles,offices,status,Telefono\n' +
        '"a@b.it","Rossi, Mario ""Bubi""","admin\noperator@Tributi",,active,0612345\n' +
        'c@d.it,Zoë,"user","Direzione/Protocollo,Tributi",disabled,\n',
    );
    const { rows, ignoredColumns } = await readRoster(csv, 'export.csv');
    expect(ignoredColumns).toEqual(['Telefono']);
    expect(rows.map(({ row, name, memberships, status }) => ({ row, name, memberships, status }))).toEqual([
      {
        row: 2,
        name: 'Rossi, Mario "Bubi"',
        memberships: [
          { role: 'admin', office: null },
          { role: 'operator', office: 'Tributi' },
        ],
        status: 'active',
      },
      {
        row: 3,
        name: 'Zoë',
        memberships: [
          { role: 'user', office: 'Direzione/Protocollo' },
          { role: 'user', office: 'Tributi' },
        ],
        status: 'disabled',
      },
    ]);
  });

  it('reads UTF-8 without a BOM, tab-separated, and UTF-16 "Unicode text" from Excel', async () => {
    const text = 'Posta elettronica\tNominativo\tRuolo\nmario@comune.it\tMàrio Rossi\tuser\n';
    for (const file of [Buffer.from(text, 'utf8'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])]) {
      const { rows } = await readRoster(file, 'utenti.txt');
      expect(rows).toMatchObject([{ row: 2, email: 'mario@comune.it', name: 'Màrio Rossi', roles: ['user'] }]);
    }
  });

  it('joins separate first and last name columns, skips blank rows and counts them in row numbers', async () => {
    const csv = Buffer.from(
      'Cognome;Nome;Indirizzo e-mail (obbligatorio);Stato\n\nRossi;Mario;mario@x.it;\n;;;\nBianchi;;anna@x.it;attivo\n',
    );
    const { rows } = await readRoster(csv, 'u.csv');
    expect(rows.map(({ row, name, status }) => ({ row, name, status }))).toEqual([
      { row: 3, name: 'Mario Rossi', status: 'active' },
      { row: 5, name: 'Bianchi', status: 'active' },
    ]);
  });

  it('recognises headers whatever their case, accents, spacing, notes in brackets and "/i" plurals', async () => {
    const csv = Buffer.from('E-MAIL *;Nome  e  Cognome;Ruolo/i;Ufficio/i;Stato (attivo/disattivo)\nm@x.it;Mario;user;Tributi;disattivo\n');
    const { rows } = await readRoster(csv, 'u.csv');
    expect(rows).toMatchObject([{ email: 'm@x.it', name: 'Mario', roles: ['user'], offices: ['Tributi'], status: 'disabled' }]);
  });

  it("follows Excel's sep= line, and row numbers start after it as Excel hides it", async () => {
    const { rows } = await readRoster(Buffer.from('sep=,\nemail,nome\nx@y.it,"Verdi; Luca"\n'), 'u.csv');
    expect(rows).toMatchObject([{ row: 2, email: 'x@y.it', name: 'Verdi; Luca' }]);
  });

  it('takes off the apostrophe the writer puts before formula-like text', async () => {
    const { rows } = await readRoster(Buffer.from('email;nome\n"\'-x@y.it";"\'=Rossi"\n'), 'u.csv');
    expect(rows).toMatchObject([{ email: '-x@y.it', name: '=Rossi' }]);
  });

  it('cleans what copy-paste brings: NBSP, zero-width spaces, mailto:, "Name <address>"', async () => {
    const csv = Buffer.from('email\n\u00a0mario@x.it\u200b\nmailto:Anna@X.it\nLuca Verdi <luca@x.it>\n');
    const { rows } = await readRoster(csv, 'u.csv');
    expect(rows.map((row) => [row.email, row.errors])).toEqual([
      ['mario@x.it', []],
      ['anna@x.it', []],
      ['luca@x.it', []],
    ]);
  });

  it("reports every row's errors: required, invalid, duplicate naming the first row, unknown status, too long", async () => {
    const csv = Buffer.from(
      [
        'email;nome;ruoli;stato',
        'a@b.it;A;;',
        'non-una-mail;B;;',
        ';C;;',
        'A@B.IT;D;;forse',
        `e@b.it;${'x'.repeat(201)};admin@;`,
        'a@b.it;F;;',
        'a@b.it;G;;',
        'g@b;H;;',
      ].join('\n'),
    );
    const { rows } = await readRoster(csv, 'u.csv');
    expect(rows.map(({ row, errors }) => ({ row, errors }))).toEqual([
      { row: 2, errors: [] },
      { row: 3, errors: [{ field: 'email', code: 'invalid-email', params: { value: 'non-una-mail' } }] },
      { row: 4, errors: [{ field: 'email', code: 'required' }] },
      {
        row: 5,
        errors: [
          { field: 'email', code: 'duplicate-email', params: { firstRow: 2 } },
          { field: 'status', code: 'unknown-status', params: { value: 'forse' } },
        ],
      },
      {
        row: 6,
        errors: [
          { field: 'name', code: 'too-long', params: { max: 200, value: 'x'.repeat(40) } },
          { field: 'roles', code: 'invalid-membership', params: { value: 'admin@' } },
        ],
      },
      { row: 7, errors: [{ field: 'email', code: 'duplicate-email', params: { firstRow: 2 } }] },
      { row: 8, errors: [{ field: 'email', code: 'duplicate-email', params: { firstRow: 2 } }] },
      { row: 9, errors: [{ field: 'email', code: 'invalid-email', params: { value: 'g@b' } }] },
    ]);
  });

  it('reads the status vocabulary in Italian and English', async () => {
    const values = [
      '',
      'Attivo',
      'SI',
      'sì',
      'yes',
      'TRUE',
      '1',
      'vero',
      'Disattivato',
      'disabled',
      'no',
      'false',
      '0',
      'bloccato',
      'Falso',
    ];
    const csv = Buffer.from(['email;stato', ...values.map((value, index) => `u${index}@x.it;${value}`)].join('\n'));
    const { rows } = await readRoster(csv, 'u.csv');
    expect(rows.map((row) => row.status)).toEqual([...Array<string>(8).fill('active'), ...Array<string>(7).fill('disabled')]);
    expect(rows.flatMap((row) => row.errors)).toEqual([]);
  });

  it('refuses files that cannot be read as a roster, naming the file', async () => {
    expect(await fileError(Buffer.from('nome;ruoli\nMario;user\n'))).toEqual({
      code: 'missing-column',
      params: { column: 'email', headerRow: 1, fileName: 'utenti.csv' },
    });
    expect((await fileError(Buffer.from('a;b\nc;d\n'))).code).toBe('no-header');
    expect((await fileError(Buffer.from(''))).code).toBe('empty');
    expect((await fileError(Buffer.from('\r\n;;;\r\n'))).code).toBe('empty');
    expect(await fileError(Buffer.from('Titolo\nemail;nome\n;;\n'))).toEqual({
      code: 'empty',
      params: { headerRow: 2, fileName: 'utenti.csv' },
    });
    expect(await fileError(Buffer.from('email;nome\n"a@b.it;Mario\nc@d.it;Anna\n'))).toMatchObject({
      code: 'unreadable',
      params: { reason: 'unterminated-quote', row: 2 },
    });
  });

  it('refuses binary files that are not spreadsheets we read', async () => {
    expect(await fileError(randomBytes(4096), 'utenti.csv')).toMatchObject({ code: 'unsupported-type', params: { format: 'binary' } });
    const xls = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), randomBytes(512)]);
    expect(await fileError(xls, 'utenti.xls')).toEqual({ code: 'unsupported-type', params: { format: 'xls', fileName: 'utenti.xls' } });
  });

  it('refuses more than 20,000 rows', async () => {
    const lines = Array.from({ length: 20_001 }, (_, index) => `u${index}@x.it`);
    expect(await fileError(Buffer.from(['email', ...lines].join('\n')))).toMatchObject({ code: 'too-many-rows', params: { max: 20_000 } });
    const { rows } = await readRoster(Buffer.from(['email', ...lines.slice(1)].join('\n')), 'u.csv');
    expect(rows).toHaveLength(20_000);
  });
});
