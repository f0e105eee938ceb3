import { statusLabel } from './roster-status.js';
import { writeTableCsv, writeTableXlsx } from './table-writer.js';
import type { RosterEntry } from './roster.js';

/** Italian like the product; readRoster knows these headers, so an export goes back in unchanged. */
const HEADER = ['email', 'nome', 'ruoli', 'uffici', 'stato'] as const;
const LIST_SEPARATOR = ', ';

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

export function writeRosterCsv(rows: readonly RosterEntry[]): Buffer {
  return writeTableCsv({ header: HEADER, rows: rows.map(rosterCells) });
}

export async function writeRosterXlsx(rows: readonly RosterEntry[]): Promise<Buffer> {
  return writeTableXlsx('Utenti', { header: HEADER, rows: rows.map(rosterCells) });
}
