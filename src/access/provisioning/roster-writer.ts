import ExcelJS from 'exceljs';
import { statusLabel } from './roster-status.js';
import type { RosterEntry } from './roster.js';

/** Italian like the product; readRoster knows these headers, so an export goes back in unchanged. */
const HEADER = ['email', 'nome', 'ruoli', 'uffici', 'stato'] as const;
const LIST_SEPARATOR = ', ';
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * One entry as the five cells of a row. Memberships go in the roles column as `role@office` (plain `role` when held
 * in the whole workspace). Because the reader pairs plain roles with every office of the offices column, that column
 * is left empty when any membership is workspace-wide; the offices still come back from the `role@office` entries.
 * Roles without a membership are written plain, so they pair with the offices column as they would when typed.
 */
function rosterCells(entry: RosterEntry): string[] {
  const written = new Set(entry.memberships.map(({ role }) => role));
  const roles = [
    ...new Set([
      ...entry.memberships.map(({ role, office }) => (office === null ? role : `${role}@${office}`)),
      ...entry.roles.filter((role) => !written.has(role)),
    ]),
  ];
  const workspaceWide = entry.memberships.some(({ office }) => office === null);
  const offices = workspaceWide ? [] : entry.offices;
  return [entry.email, entry.name, roles.join(LIST_SEPARATOR), offices.join(LIST_SEPARATOR), statusLabel(entry.status)];
}

/** CSV as Italian Excel opens it with a double click: UTF-8 with BOM (else it assumes 1252), ';', CRLF. */
export function writeRosterCsv(rows: readonly RosterEntry[]): Buffer {
  const lines = [HEADER, ...rows.map(rosterCells)].map((cells) => cells.map(csvField).join(';'));
  return Buffer.concat([UTF8_BOM, Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8')]);
}

export async function writeRosterXlsx(rows: readonly RosterEntry[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'pecflow';
  const sheet = workbook.addWorksheet('Utenti', { views: [{ state: 'frozen', ySplit: 1 }] });
  const table = [[...HEADER], ...rows.map(rosterCells)];
  // Strings stay strings in XLSX (a leading '=' is not a formula), so no guard is needed here.
  sheet.addRows(table);
  sheet.getRow(1).font = { bold: true };
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: HEADER.length } };
  HEADER.forEach((_, index) => {
    const longest = table.reduce((most, cells) => Math.max(most, (cells[index] ?? '').length), 0);
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
