import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { cellMailto, cellText } from './cell-text.js';
import { RosterFileError } from './roster-file-error.js';
import { cleanCell, isBlankRow, type Sheet, type SheetRow } from './sheet.js';

export async function loadWorkbook(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs types its input as an ArrayBuffer and JSZip takes one; a copy also detaches it from Node's buffer pool.
    await workbook.xlsx.load(new Uint8Array(bytes).buffer);
  } catch (error) {
    throw new RosterFileError('unreadable', { reason: error instanceof Error ? error.message : String(error) });
  }
  // A zip without worksheets is some other document (.docx, an archive), not a damaged workbook.
  if (workbook.worksheets.length === 0) throw new RosterFileError('unsupported-type', { format: 'zip' });
  return workbook;
}

/** The worksheets as sheets, visible ones first: a hidden first sheet usually holds the lists behind drop-downs. */
export function* workbookSheets(workbook: ExcelJS.Workbook): Generator<Sheet> {
  const visible = workbook.worksheets.filter((worksheet) => worksheet.state === 'visible');
  const hidden = workbook.worksheets.filter((worksheet) => worksheet.state !== 'visible');
  for (const worksheet of [...visible, ...hidden]) yield worksheetSheet(worksheet);
}

function worksheetSheet(worksheet: ExcelJS.Worksheet): Sheet {
  const rows: SheetRow[] = [];
  worksheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const sheetRow = rowAsSheetRow(row, rowNumber);
    if (sheetRow) rows.push(sheetRow);
  });
  return rows;
}

/**
 * The worksheets' rows read as a stream, for sheets too large to load whole (campaign recipients: 100,000 rows).
 * Rows come as their worksheet's parser reaches them; `sheet` is the worksheet's position in the file. Unlike
 * workbookSheets, hidden sheets are not put last (the stream cannot reorder), and a cell's hyperlink is not known
 * (the `<hyperlinks>` element follows the rows in the sheet's XML): a HYPERLINK("mailto:…") formula still is.
 */
export async function* streamWorkbookRows(bytes: Buffer): AsyncGenerator<{ sheet: number; row: SheetRow }> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([bytes]), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    entries: 'ignore',
  });
  let sheet = 0;
  try {
    for await (const worksheet of reader) {
      for await (const row of worksheet) {
        const sheetRow = rowAsSheetRow(row, row.number);
        if (sheetRow) yield { sheet, row: sheetRow };
      }
      sheet++;
    }
  } catch (error) {
    if (error instanceof RosterFileError) throw error;
    throw new RosterFileError('unreadable', { reason: error instanceof Error ? error.message : String(error) });
  }
}

/** A worksheet row as text cells, or undefined when every cell is blank. */
function rowAsSheetRow(row: ExcelJS.Row, rowNumber: number): SheetRow | undefined {
  const cells: string[] = [];
  const mailto = new Map<number, string>();
  // Merged cells repeat the top-left value, which is what a reader of the merged area sees.
  row.eachCell({ includeEmpty: false }, (cell, columnNumber) => {
    const value: unknown = cell.value;
    cells[columnNumber - 1] = cleanCell(cellText(value));
    const link = cellMailto(value);
    if (link !== undefined) mailto.set(columnNumber - 1, link);
  });
  const dense = Array.from(cells, (cell) => cell ?? '');
  if (isBlankRow(dense)) return undefined;
  return mailto.size > 0 ? { row: rowNumber, cells: dense, mailto } : { row: rowNumber, cells: dense };
}
