import ExcelJS from 'exceljs';
import { crc32 } from 'node:zlib';
import { readRoster, RosterFileError, type RosterFileErrorCode } from './roster-reader.js';

async function xlsx(build: (workbook: ExcelJS.Workbook) => void): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  build(workbook);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** A zip with stored (uncompressed) entries in the given order: enough to build non-XLSX archives without a zip library. */
function storedZip(files: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content);
    const fileName = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, data);
    centrals.push(central, fileName);
    offset += local.length + fileName.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

async function fileErrorCode(
  file: Buffer,
  name = 'utenti.xlsx',
): Promise<{ code: RosterFileErrorCode; params: Record<string, string | number> }> {
  try {
    await readRoster(file, name);
  } catch (error) {
    if (error instanceof RosterFileError) return { code: error.code, params: error.params };
    throw error;
  }
  throw new Error('no RosterFileError');
}

describe('readRoster on XLSX', () => {
  it('reads hyperlink, formula, rich-text, date, number and boolean cells below a merged title row', async () => {
    const file = await xlsx((workbook) => {
      const sheet = workbook.addWorksheet('Utenti');
      sheet.getCell('A1').value = 'Elenco del personale';
      sheet.mergeCells('A1:F1');
      sheet.addRow([]);
      sheet.addRow([
        'E-mail',
        { richText: [{ text: 'Nome ' }, { text: 'e cognome', font: { bold: true } }] },
        'Ruolo',
        'Ufficio',
        'Stato',
        'Assunto il',
      ]);
      sheet.addRow([
        { text: 'a@b.it', hyperlink: 'mailto:a@b.it' },
        { formula: 'CONCATENATE("Anna"," ","Bianchi")', result: 'Anna Bianchi' },
        { richText: [{ text: 'oper' }, { text: 'ator', font: { italic: true } }] },
        'Direzione>Protocollo',
        true,
        new Date(Date.UTC(2021, 8, 1)),
      ]);
      sheet.addRow([]);
      sheet.addRow([
        { text: 'Scrivi a Carlo', hyperlink: 'mailto:Carlo.Neri@Comune.it?subject=Ciao' },
        'Carlo Neri',
        'user',
        '',
        0,
        { formula: 'A1', result: { error: '#REF!' } },
      ]);
      sheet.addRow([{ formula: 'HYPERLINK("mailto:d@e.it","Dario")', result: 'Dario' }, 'Dario', '', '', 'disattivo']);
      // Trailing formatting-only rows and columns, as Excel leaves behind.
      sheet.getCell('J40').numFmt = '0.00';
    });
    const { rows, headerRow, ignoredColumns } = await readRoster(file, 'utenti.xlsx');
    expect(headerRow).toBe(3);
    expect(ignoredColumns).toEqual(['Assunto il']);
    expect(rows).toEqual([
      {
        row: 4,
        email: 'a@b.it',
        name: 'Anna Bianchi',
        roles: ['operator'],
        offices: ['Direzione/Protocollo'],
        memberships: [{ role: 'operator', office: 'Direzione/Protocollo' }],
        status: 'active',
        errors: [],
      },
      {
        row: 6,
        email: 'carlo.neri@comune.it',
        name: 'Carlo Neri',
        roles: ['user'],
        offices: [],
        memberships: [{ role: 'user', office: null }],
        status: 'disabled',
        errors: [],
      },
      { row: 7, email: 'd@e.it', name: 'Dario', roles: [], offices: [], memberships: [], status: 'disabled', errors: [] },
    ]);
  });

  it('joins Nome and Cognome, reads numbers as Excel shows them, and takes the first sheet that has a roster', async () => {
    const file = await xlsx((workbook) => {
      const lists = workbook.addWorksheet('Liste');
      lists.state = 'hidden';
      lists.addRow(['Ruoli']).commit();
      lists.addRow(['operator']);
      workbook.addWorksheet('Istruzioni').addRow(['Compilare il foglio Utenti']);
      const users = workbook.addWorksheet('Utenti');
      users.addRow(['Nome', 'Cognome', 'Posta elettronica', 'Stato', 'Note']);
      users.addRow(['Lucia', 'Ferri', 'lucia@x.it', 1, 0.1 + 0.2]);
      users.addRow(['  Gianni ', ' Rodari', 'gianni@x.it', 'no', '']);
    });
    const { rows, ignoredColumns } = await readRoster(file, 'utenti.xlsx');
    expect(ignoredColumns).toEqual(['Note']);
    expect(rows.map(({ row, name, email, status }) => ({ row, name, email, status }))).toEqual([
      { row: 2, name: 'Lucia Ferri', email: 'lucia@x.it', status: 'active' },
      { row: 3, name: 'Gianni Rodari', email: 'gianni@x.it', status: 'disabled' },
    ]);
  });

  it('detects XLSX by content whatever the name says', async () => {
    const file = await xlsx((workbook) => workbook.addWorksheet('U').addRows([['email'], ['x@y.it']]));
    expect((await readRoster(file, 'utenti.csv', 'text/csv')).rows).toMatchObject([{ row: 2, email: 'x@y.it' }]);
  });

  it('refuses a truncated workbook, a zip that is not a workbook, and one without the e-mail column', async () => {
    const file = await xlsx((workbook) => workbook.addWorksheet('U').addRows([['email'], ['x@y.it']]));
    expect(await fileErrorCode(file.subarray(0, Math.floor(file.length / 2)))).toMatchObject({
      code: 'unreadable',
      params: { fileName: 'utenti.xlsx' },
    });

    const docx = storedZip({ '[Content_Types].xml': '<Types/>', 'word/document.xml': '<w:document/>' });
    expect(await fileErrorCode(docx)).toMatchObject({ code: 'unsupported-type', params: { format: 'zip' } });

    const noEmail = await xlsx((workbook) => workbook.addWorksheet('U').addRows([['Titolo'], ['Nome', 'Ruolo'], ['Mario', 'user']]));
    expect(await fileErrorCode(noEmail)).toEqual({
      code: 'missing-column',
      params: { column: 'email', headerRow: 2, fileName: 'utenti.xlsx' },
    });

    const blank = await xlsx((workbook) => workbook.addWorksheet('U'));
    expect((await fileErrorCode(blank)).code).toBe('empty');
  });

  it('refuses an OpenDocument spreadsheet by name, so the message can ask for XLSX', async () => {
    const ods = storedZip({ mimetype: 'application/vnd.oasis.opendocument.spreadsheet', 'content.xml': '<office:document-content/>' });
    expect(await fileErrorCode(ods, 'utenti.ods')).toMatchObject({
      code: 'unsupported-type',
      params: { format: 'ods' },
    });
  });
});
