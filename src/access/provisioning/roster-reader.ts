import { readCsvSheet } from './csv-sheet.js';
import { sniffFile } from './file-sniffer.js';
import { findHeader } from './roster-columns.js';
import { RosterFileError } from './roster-file-error.js';
import { parseRosterRows } from './roster-rows.js';
import type { RosterRow } from './roster.js';
import type { Sheet } from './sheet.js';
import { loadWorkbook, workbookSheets } from './xlsx-sheets.js';

export { RosterFileError, type RosterFileErrorCode } from './roster-file-error.js';

export interface RosterReadResult {
  rows: RosterRow[];
  /** Where the header was found (title rows may sit above it). */
  headerRow: number;
  /** Header cells we do not read ("Telefono", "Note"), for the dry run to mention. */
  ignoredColumns: string[];
}

/**
 * Reads an uploaded roster: XLSX or CSV told apart by content (the name and MIME type only go into error params).
 * Row-level problems are in each row's `errors`; a file that cannot be read at all throws a RosterFileError.
 */
export async function readRoster(file: Buffer, fileName: string, mime?: string): Promise<RosterReadResult> {
  try {
    return await readSheets(file);
  } catch (error) {
    // Every file-level error names the file: the message is shown next to an upload that may hold several.
    if (error instanceof RosterFileError) {
      throw new RosterFileError(error.code, { ...error.params, fileName, ...(mime === undefined ? {} : { mime }) });
    }
    throw error;
  }
}

async function readSheets(file: Buffer): Promise<RosterReadResult> {
  const sniffed = sniffFile(file);
  switch (sniffed.kind) {
    case 'other':
      throw new RosterFileError('unsupported-type', { format: sniffed.format });
    case 'text':
      return readFirstRoster([readCsvSheet(sniffed.text)]);
    case 'zip':
      return readFirstRoster(workbookSheets(await loadWorkbook(file)));
  }
}

/** The first sheet with a header naming an e-mail column and rows under it; otherwise why none could be used. */
function readFirstRoster(sheets: Iterable<Sheet>): RosterReadResult {
  let unfilledHeaderRow: number | undefined;
  let noEmailRow: number | undefined;
  let sawData = false;
  for (const sheet of sheets) {
    if (sheet.length === 0) continue;
    sawData = true;
    const header = findHeader(sheet);
    if (header.kind === 'no-email') noEmailRow ??= header.row;
    if (header.kind !== 'found') continue;
    const rows = parseRosterRows(sheet.slice(header.index + 1), header.columns);
    if (rows.length > 0) return { rows, headerRow: header.row, ignoredColumns: header.ignored };
    unfilledHeaderRow ??= header.row;
  }
  // A header with nothing under it is the template sent back unfilled: there is nothing to report row by row.
  if (unfilledHeaderRow !== undefined) throw new RosterFileError('empty', { headerRow: unfilledHeaderRow });
  if (noEmailRow !== undefined) throw new RosterFileError('missing-column', { column: 'email', headerRow: noEmailRow });
  throw new RosterFileError(sawData ? 'no-header' : 'empty');
}
