import ExcelJS from 'exceljs';
import { readRoster } from './roster-reader.js';
import { writeRosterCsv, writeRosterXlsx } from './roster-writer.js';
import type { RosterEntry, RosterRow } from './roster.js';

const entries: RosterEntry[] = [
  {
    email: 'niccolo.alberti@comune.it',
    name: 'Niccolò Àlberti',
    roles: ['operator', 'manager'],
    offices: ['Direzione/Protocollo', 'Tributi'],
    memberships: [
      { role: 'operator', office: 'Direzione/Protocollo' },
      { role: 'operator', office: 'Tributi' },
      { role: 'manager', office: 'Tributi' },
    ],
    status: 'active',
  },
  {
    // Workspace-wide and per-office memberships together: the case plain roles × offices cannot express.
    email: 'perche@comune.it',
    name: 'Perché "Bubi"; D’Annunzio',
    roles: ['admin', 'operator'],
    offices: ['Direzione/Protocollo'],
    memberships: [
      { role: 'admin', office: null },
      { role: 'operator', office: 'Direzione/Protocollo' },
    ],
    status: 'disabled',
  },
  { email: '-meno@x.it', name: '=HYPERLINK("http://evil")', roles: [], offices: ['Tributi'], memberships: [], status: 'active' },
  { email: 'solo@x.it', name: '', roles: ['user'], offices: [], memberships: [{ role: 'user', office: null }], status: 'active' },
];

const withoutRowAndErrors = (rows: RosterRow[]): RosterEntry[] => rows.map(({ row: _row, errors: _errors, ...entry }) => entry);

describe('roster writer', () => {
  it('writes CSV as Italian Excel opens it: BOM, semicolons, CRLF, Italian headers, role@office, quoting and formula guard', () => {
    const csv = writeRosterCsv(entries);
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.subarray(3).toString('utf8').split('\r\n')).toEqual([
      'email;nome;ruoli;uffici;stato',
      'niccolo.alberti@comune.it;Niccolò Àlberti;operator@Direzione/Protocollo, operator@Tributi, manager@Tributi;Direzione/Protocollo, Tributi;attivo',
      'perche@comune.it;"Perché ""Bubi""; D’Annunzio";admin, operator@Direzione/Protocollo;;disattivo',
      `"'-meno@x.it";"'=HYPERLINK(""http://evil"")";;Tributi;attivo`,
      'solo@x.it;;user;;attivo',
      '',
    ]);
  });

  it('round-trips through CSV: what is exported is imported unchanged', async () => {
    const { rows } = await readRoster(writeRosterCsv(entries), 'export.csv');
    expect(rows.map((row) => row.errors)).toEqual(entries.map(() => []));
    expect(withoutRowAndErrors(rows)).toEqual(entries);
    expect(rows.map((row) => row.row)).toEqual([2, 3, 4, 5]);
  });

  it('round-trips through XLSX', async () => {
    const { rows } = await readRoster(await writeRosterXlsx(entries), 'export.xlsx');
    expect(withoutRowAndErrors(rows)).toEqual(entries);
  });

  it('round-trips what it read from a messy file', async () => {
    const messy = Buffer.from(
      'Nominativo;Mail;Ruoli;Uffici;Attivo\n' +
        'Anna Bianchi;Anna@X.it;"operator@Tributi\nmanager";"Direzione > Protocollo; Servizi/Anagrafe";sì\n' +
        'Luca;luca@x.it;"admin, user@Tributi";;0\n',
    );
    const first = withoutRowAndErrors((await readRoster(messy, 'messy.csv')).rows);
    expect(withoutRowAndErrors((await readRoster(writeRosterCsv(first), 'a.csv')).rows)).toEqual(first);
    expect(withoutRowAndErrors((await readRoster(await writeRosterXlsx(first), 'a.xlsx')).rows)).toEqual(first);
  });

  it('writes XLSX with a bold header, an autofilter and widths that fit', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(new Uint8Array(await writeRosterXlsx(entries)).buffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(1).values).toEqual([undefined, 'email', 'nome', 'ruoli', 'uffici', 'stato']);
    expect(sheet.getCell('A1').font?.bold).toBe(true);
    expect(sheet.autoFilter).toBeTruthy();
    const widths = [1, 2, 3, 4, 5].map((column) => sheet.getColumn(column).width ?? 0);
    expect(widths.every((width) => width >= 10 && width <= 60)).toBe(true);
    expect(sheet.getCell('C2').value).toBe('operator@Direzione/Protocollo, operator@Tributi, manager@Tributi');
    // A leading '=' stays text in XLSX: no formula is written.
    expect(sheet.getCell('B4').value).toBe('=HYPERLINK("http://evil")');
  });
});
