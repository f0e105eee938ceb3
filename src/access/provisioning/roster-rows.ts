import { parseAssignments } from './roster-assignments.js';
import type { RosterColumns } from './roster-columns.js';
import { parseEmail } from './roster-email.js';
import { RosterFileError } from './roster-file-error.js';
import { parseStatus } from './roster-status.js';
import { ROSTER_LIMITS, type RosterError, type RosterRow } from './roster.js';
import type { Sheet, SheetRow } from './sheet.js';

/**
 * The rows below the header, each with every problem found in it, so that a dry run can report them all at once.
 * Rows whose known columns are all empty are skipped: blank lines, and notes or totals in columns we do not read.
 */
export function parseRosterRows(body: Sheet, columns: RosterColumns): RosterRow[] {
  const rows: RosterRow[] = [];
  const firstRowByEmail = new Map<string, number>();
  for (const sheetRow of body) {
    const cell = (column: number | undefined): string => (column === undefined ? '' : (sheetRow.cells[column] ?? ''));
    const known = [columns.email, columns.name, columns.firstName, columns.lastName, columns.roles, columns.offices, columns.status];
    if (known.every((column) => cell(column) === '')) continue;
    if (rows.length === ROSTER_LIMITS.rows) throw new RosterFileError('too-many-rows', { max: ROSTER_LIMITS.rows });

    const row = parseRow(sheetRow, columns, cell);
    const firstRow = firstRowByEmail.get(row.email);
    if (row.errors.every((error) => error.field !== 'email')) {
      if (firstRow === undefined) firstRowByEmail.set(row.email, row.row);
      else row.errors.unshift({ field: 'email', code: 'duplicate-email', params: { firstRow } });
    }
    rows.push(row);
  }
  return rows;
}

function parseRow(sheetRow: SheetRow, columns: RosterColumns, cell: (column: number | undefined) => string): RosterRow {
  const email = parseEmail(cell(columns.email), sheetRow.mailto?.get(columns.email));
  const name = parseName(cell(columns.name), cell(columns.firstName), cell(columns.lastName));
  const status = parseStatus(cell(columns.status));
  const assignments = parseAssignments(cell(columns.roles), cell(columns.offices));
  return {
    row: sheetRow.row,
    email: email.email,
    name: name.name,
    roles: assignments.roles,
    offices: assignments.offices,
    memberships: assignments.memberships,
    status: status.status,
    errors: [...email.errors, ...name.errors, ...assignments.errors, ...status.errors],
  };
}

/** A full-name cell wins; otherwise first and last name joined, as Italians write them ("Mario Rossi"). */
function parseName(full: string, first: string, last: string): { name: string; errors: RosterError[] } {
  const name = (full !== '' ? full : `${first} ${last}`).replace(/\s+/g, ' ').trim();
  if (name.length <= ROSTER_LIMITS.name) return { name, errors: [] };
  return { name, errors: [{ field: 'name', code: 'too-long', params: { max: ROSTER_LIMITS.name, value: name.slice(0, 40) } }] };
}
