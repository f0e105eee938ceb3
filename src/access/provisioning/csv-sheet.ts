import { parseCsv } from './csv-parser.js';
import { findHeader } from './roster-columns.js';
import { RosterFileError } from './roster-file-error.js';
import { cleanCell, isBlankRow, type Sheet, type SheetRow } from './sheet.js';

// Italian Excel saves ';' (the decimal separator is ','); other tools ',' ; "Unicode text" is tab-separated.
const DELIMITERS = [';', ',', '\t'] as const;
/** Enough records to get past title rows and blank lines to the header. */
const SAMPLE_RECORDS = 100;

/**
 * Ranks how well a sample of the file, split with one delimiter, shows the header its reader looks for; compared
 * element by element, higher wins.
 */
export type HeaderScore = (sample: Sheet) => number[];

/**
 * A CSV file's text as a sheet. The delimiter is the one under which the reader's header appears (the header may
 * sit below title rows, so the first line alone cannot tell), or Excel's own `sep=` first line. The roster's header
 * (an e-mail column) is the default; the campaign importer looks for its address column.
 */
export function readCsvSheet(text: string, scoreHeader: HeaderScore = rosterHeaderScore): Sheet {
  const hint = /^sep=(.)\r?\n/i.exec(text);
  // Excel hides the sep= line, so the row numbers people see start after it.
  const body = hint ? text.slice(hint[0].length) : text;
  const delimiter = hint?.[1] ?? detectDelimiter(body, scoreHeader);
  const parsed = parseCsv(body, delimiter);
  if (parsed.unterminatedAt !== undefined) {
    throw new RosterFileError('unreadable', { reason: 'unterminated-quote', row: parsed.unterminatedAt });
  }
  return toSheet(parsed.records);
}

function detectDelimiter(text: string, scoreHeader: HeaderScore): string {
  let best: { delimiter: string; score: number[] } | undefined;
  for (const delimiter of DELIMITERS) {
    const score = scoreHeader(toSheet(parseCsv(text, delimiter, SAMPLE_RECORDS).records));
    if (!best || isBetter(score, best.score)) best = { delimiter, score };
  }
  return best?.delimiter ?? ';';
}

/** A found header beats a header without e-mail, then more known columns, then more cells. */
function rosterHeaderScore(sheet: Sheet): number[] {
  const header = findHeader(sheet);
  switch (header.kind) {
    case 'found':
      return [2, header.recognised, sheet[header.index]?.cells.length ?? 0];
    case 'no-email':
      return [1, header.recognised, 0];
    case 'none':
      return [0, 0, 0];
  }
}

function isBetter(score: readonly number[], than: readonly number[]): boolean {
  for (const [index, value] of score.entries()) {
    const other = than[index] ?? 0;
    if (value !== other) return value > other;
  }
  return false;
}

function toSheet(records: readonly string[][]): Sheet {
  const rows: SheetRow[] = [];
  for (const [index, fields] of records.entries()) {
    const cells = fields.map((field) => unguard(cleanCell(field)));
    if (!isBlankRow(cells)) rows.push({ row: index + 1, cells });
  }
  return rows;
}

/** The writer puts an apostrophe before text Excel would run as a formula (CSV injection, OWASP); take it off. */
function unguard(cell: string): string {
  return /^'[=+\-@]/.test(cell) ? cell.slice(1) : cell;
}
