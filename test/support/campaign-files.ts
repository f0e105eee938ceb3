import ExcelJS from 'exceljs';
import JSZip from 'jszip';

/** Windows-1252 as Italian Excel's plain "CSV" writes it: Latin-1, plus € at 0x80 (the only one these tests need). */
export function windows1252(text: string): Buffer {
  return Buffer.from(Array.from(text, (char) => (char === '€' ? 0x80 : char.charCodeAt(0))));
}

/** A workbook of one sheet from rows of exceljs cell values (hyperlinks, formulas, rich text as exceljs writes them). */
export async function xlsx(rows: readonly (readonly ExcelJS.CellValue[])[], sheetName = 'Destinatari'): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(sheetName);
  for (const row of rows) sheet.addRow([...row]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** A ZIP of the given files (names as written: folders and `../` included on purpose). */
export async function zip(files: Record<string, Buffer | string>): Promise<Buffer> {
  const archive = new JSZip();
  for (const [name, content] of Object.entries(files)) archive.file(name, content, { createFolders: false });
  return archive.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}
