import type { RosterError, RosterStatus } from './roster.js';

// Compared without accents and case. "vero"/"falso" are how Italian Excel shows booleans; "x" is a ticked box.
const ACTIVE = new Set([
  'attivo',
  'attiva',
  'active',
  'abilitato',
  'abilitata',
  'enabled',
  'si',
  's',
  'yes',
  'y',
  'true',
  'vero',
  '1',
  'x',
]);
const DISABLED = new Set([
  'disattivo',
  'disattiva',
  'disattivato',
  'disattivata',
  'disabilitato',
  'disabilitata',
  'disabled',
  'inattivo',
  'inattiva',
  'inactive',
  'bloccato',
  'bloccata',
  'blocked',
  'sospeso',
  'sospesa',
  'no',
  'n',
  'false',
  'falso',
  '0',
]);

/** An empty cell means active: a roster lists the people who should work in the workspace. */
export function parseStatus(text: string): { status: RosterStatus; errors: RosterError[] } {
  const key = text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\s.!]+$/, '')
    .trim();
  if (key === '' || ACTIVE.has(key)) return { status: 'active', errors: [] };
  if (DISABLED.has(key)) return { status: 'disabled', errors: [] };
  return { status: 'active', errors: [{ field: 'status', code: 'unknown-status', params: { value: text } }] };
}

/** The Italian word the writer puts in the status column; parseStatus reads it back. */
export function statusLabel(status: RosterStatus): string {
  return status === 'active' ? 'attivo' : 'disattivo';
}
