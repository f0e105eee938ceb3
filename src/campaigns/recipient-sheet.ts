import { readCsvSheet } from '../access/provisioning/csv-sheet.js';
import { sniffFile } from '../access/provisioning/file-sniffer.js';
import { normaliseHeader } from '../access/provisioning/roster-columns.js';
import { RosterFileError } from '../access/provisioning/roster-file-error.js';
import type { Sheet, SheetRow } from '../access/provisioning/sheet.js';
import { streamWorkbookRows } from '../access/provisioning/xlsx-sheets.js';

/** The header row of a recipients sheet: every named column is a template variable. */
export interface RecipientHeader {
  /** The row Excel shows it on (title rows may sit above). */
  row: number;
  /** Column names by cell index; '' for an unnamed column (not a variable). */
  columns: string[];
  /** Index of the address column. */
  address: number;
}

export interface RecipientSheet {
  header: RecipientHeader;
  /** The rows below the header, in file order (`for await` either kind): an XLSX is streamed, a CSV is already text. */
  rows: AsyncIterable<SheetRow> | Iterable<SheetRow>;
}

/** Title rows above the header are common; a header further down than this is not a header. */
const HEADER_SEARCH_ROWS = 30;

/**
 * Opens an uploaded recipients file (XLSX or CSV, told apart by content, with the decoding and delimiter rules of
 * the user roster reader) at its header: the first row, in the first sheet that has one, with a cell named like
 * `addressColumn`. Throws a RosterFileError when the file cannot be read or has no such header.
 */
export async function openRecipientSheet(file: Buffer, addressColumn: string): Promise<RecipientSheet> {
  const wanted = normaliseHeader(addressColumn);
  const sniffed = sniffFile(file);
  switch (sniffed.kind) {
    case 'other':
      throw new RosterFileError('unsupported-type', { format: sniffed.format });
    case 'text': {
      const sheet = readCsvSheet(sniffed.text, (sample) => {
        const header = findHeader(sample, wanted);
        return header ? [1, header.columns.filter((name) => name !== '').length] : [0, 0];
      });
      return fromSheet(sheet, wanted, addressColumn);
    }
    case 'zip':
      return fromStream(streamWorkbookRows(file), wanted, addressColumn);
  }
}

function fromSheet(sheet: Sheet, wanted: string, addressColumn: string): RecipientSheet {
  const header = findHeader(sheet, wanted);
  if (!header) throw missingColumn(sheet.length === 0, addressColumn);
  const body = sheet.slice(sheet.findIndex((row) => row.row === header.row) + 1);
  return { header, rows: body };
}

/** Reads the stream up to the header, then hands on the rest of that sheet's rows. */
async function fromStream(
  stream: AsyncGenerator<{ sheet: number; row: SheetRow }>,
  wanted: string,
  addressColumn: string,
): Promise<RecipientSheet> {
  let sheet = -1;
  let seen: SheetRow[] = [];
  let sawData = false;
  for (;;) {
    const next = await stream.next();
    if (next.done) break;
    sawData = true;
    if (next.value.sheet !== sheet) {
      sheet = next.value.sheet;
      seen = [];
    }
    if (seen.length >= HEADER_SEARCH_ROWS) continue;
    seen.push(next.value.row);
    const header = findHeader([next.value.row], wanted);
    if (header) return { header, rows: restOfSheet(stream, sheet) };
  }
  throw missingColumn(!sawData, addressColumn);
}

async function* restOfSheet(stream: AsyncGenerator<{ sheet: number; row: SheetRow }>, sheet: number): AsyncGenerator<SheetRow> {
  for (;;) {
    const next = await stream.next();
    if (next.done || next.value.sheet !== sheet) break;
    yield next.value.row;
  }
  // The rest of the workbook is not needed; ending the generator lets the reader close.
  await stream.return(undefined);
}

function findHeader(sheet: Sheet, wanted: string): RecipientHeader | undefined {
  for (const sheetRow of sheet.slice(0, HEADER_SEARCH_ROWS)) {
    const address = sheetRow.cells.findIndex((cell) => normaliseHeader(cell) === wanted);
    if (address >= 0) return { row: sheetRow.row, columns: variableNames(sheetRow.cells), address };
  }
  return undefined;
}

/** A name repeated in the header would make `{{name}}` ambiguous: the first column keeps it, later ones are unnamed. */
function variableNames(cells: readonly string[]): string[] {
  const seen = new Set<string>();
  return cells.map((cell) => {
    const name = cell.replace(/\s+/g, ' ').trim();
    if (name === '' || seen.has(name)) return '';
    seen.add(name);
    return name;
  });
}

function missingColumn(empty: boolean, column: string): RosterFileError {
  return empty ? new RosterFileError('empty') : new RosterFileError('missing-column', { column });
}
