import type { Sheet } from './sheet.js';

/** Where each known column sits in the header row (0-based cell indexes). */
export interface RosterColumns {
  email: number;
  /** A full-name column ("Nome e cognome", or "Nome" alone). */
  name?: number;
  /** Separate first and last name columns, joined when there is no full-name column or its cell is empty. */
  firstName?: number;
  lastName?: number;
  roles?: number;
  offices?: number;
  status?: number;
}

export type HeaderSearch =
  | { kind: 'found'; index: number; row: number; columns: RosterColumns; recognised: number; ignored: string[] }
  /** A row that looks like a header (it names known columns) but has no e-mail column. */
  | { kind: 'no-email'; row: number; recognised: number }
  | { kind: 'none' };

type ColumnKind = 'email' | 'name' | 'nameOrFirst' | 'firstName' | 'lastName' | 'roles' | 'offices' | 'status';

// Written the way offices write them; compared after normaliseHeader, so case, accents, spaces and dashes do not matter.
const ALIASES: Record<ColumnKind, readonly string[]> = {
  email: [
    'email',
    'e-mail',
    'mail',
    'posta elettronica',
    'indirizzo e-mail',
    'indirizzo mail',
    'indirizzo di posta elettronica',
    'indirizzo posta elettronica',
    'e-mail address',
  ],
  name: ['nome e cognome', 'cognome e nome', 'nominativo', 'name', 'full name', 'display name', 'nome completo', 'nome visualizzato'],
  // "Nome" is the full name, unless a "Cognome" column sits beside it.
  nameOrFirst: ['nome'],
  firstName: ['first name', 'given name'],
  lastName: ['cognome', 'last name', 'surname', 'family name'],
  roles: ['ruoli', 'ruolo', 'ruolo/i', 'roles', 'role', 'role(s)'],
  offices: ['uffici', 'ufficio', 'ufficio/i', 'offices', 'office', 'unita organizzativa', 'unita organizzative'],
  status: ['stato', 'status', 'attivo', 'abilitato', 'active', 'enabled'],
};

/** "E-mail *", "Indirizzo e-mail (obbligatorio)", "NOME  E COGNOME" → comparable keys. */
export function normaliseHeader(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/\([^)]*\)|\[[^\]]*\]/g, '')
    .replace(/[^a-z0-9]/g, '');
}

const KIND_BY_KEY = new Map<string, ColumnKind>(
  (Object.entries(ALIASES) as [ColumnKind, readonly string[]][]).flatMap(([kind, aliases]) =>
    aliases.map((alias): [string, ColumnKind] => [normaliseHeader(alias), kind]),
  ),
);

/** Title rows above the header are common; a header further down than this is not a header. */
const HEADER_SEARCH_ROWS = 30;

/** The first row, among the first non-empty ones, with an e-mail column; or why there is none. */
export function findHeader(sheet: Sheet): HeaderSearch {
  let noEmail: HeaderSearch = { kind: 'none' };
  for (const [index, sheetRow] of sheet.slice(0, HEADER_SEARCH_ROWS).entries()) {
    const kinds = new Map<ColumnKind, number>();
    const ignored: string[] = [];
    sheetRow.cells.forEach((cell, column) => {
      const kind = KIND_BY_KEY.get(normaliseHeader(cell));
      // The first of two same-kind columns wins; the second is reported as ignored like any unknown column.
      if (kind && !kinds.has(kind)) kinds.set(kind, column);
      else if (cell !== '') ignored.push(cell);
    });
    const columns = toColumns(kinds);
    const recognised = kinds.size;
    if (columns) return { kind: 'found', index, row: sheetRow.row, columns, recognised, ignored };
    if (recognised > 0 && noEmail.kind === 'none') noEmail = { kind: 'no-email', row: sheetRow.row, recognised };
  }
  return noEmail;
}

function toColumns(kinds: ReadonlyMap<ColumnKind, number>): RosterColumns | null {
  const email = kinds.get('email');
  if (email === undefined) return null;
  const lastName = kinds.get('lastName');
  const nameOrFirst = kinds.get('nameOrFirst');
  const split = lastName !== undefined;
  return {
    email,
    name: kinds.get('name') ?? (split ? undefined : (nameOrFirst ?? kinds.get('firstName'))),
    firstName: split ? (kinds.get('firstName') ?? nameOrFirst) : undefined,
    lastName,
    roles: kinds.get('roles'),
    offices: kinds.get('offices'),
    status: kinds.get('status'),
  };
}
