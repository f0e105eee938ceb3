import ExcelJS from 'exceljs';

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** A table of text cells with its header row: what the roster export and the campaign error report write. */
export interface TextTable {
  header: readonly string[];
  rows: readonly (readonly string[])[];
}

/** CSV as Italian Excel opens it with a double click: UTF-8 with BOM (else it assumes 1252), ';', CRLF. */
export function writeTableCsv(table: TextTable): Buffer {
  const lines = [table.header, ...table.rows].map((cells) => cells.map(csvField).join(';'));
  return Buffer.concat([UTF8_BOM, Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8')]);
}

/** One worksheet: bold frozen header with a filter, columns as wide as their text (up to a limit). */
export async function writeTableXlsx(sheetName: string, table: TextTable): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'pecflow';
  const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  const all = [[...table.header], ...table.rows.map((cells) => [...cells])];
  // Strings stay strings in XLSX (a leading '=' is not a formula), so no guard is needed here.
  sheet.addRows(all);
  sheet.getRow(1).font = { bold: true };
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: table.header.length } };
  table.header.forEach((_, index) => {
    const longest = all.reduce((most, cells) => Math.max(most, (cells[index] ?? '').length), 0);
    sheet.getColumn(index + 1).width = Math.min(60, Math.max(10, longest + 2));
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/**
 * RFC 4180 quoting where needed. Text Excel would run as a formula (=, +, -, @ first) gets an apostrophe first:
 * CSV injection (OWASP); the reader takes it off again.
 */
function csvField(value: string): string {
  const guarded = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return guarded !== value || /[;"\r\n]|^\s|\s$/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}
