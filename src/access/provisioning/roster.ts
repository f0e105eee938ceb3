/**
 * The roster: the list of users an office uploads for bulk provisioning (and that we export back), one user per row.
 * These types are what the reader produces and the writer takes; they know nothing of the database.
 */

export type RosterStatus = 'active' | 'disabled';

export type RosterField = 'email' | 'name' | 'roles' | 'offices' | 'status';

/** Why one row cannot be used as it is; `code` is stable (the UI translates it), `params` fill the message. */
export interface RosterError {
  field: RosterField;
  code: RosterErrorCode;
  params?: Record<string, string | number>;
}

export type RosterErrorCode =
  /** The e-mail cell is empty: the e-mail is how a row finds its user. */
  | 'required'
  | 'invalid-email'
  /** `params.firstRow` is the row where the same e-mail first appears. */
  | 'duplicate-email'
  /** `params.value` is the status as written. */
  | 'unknown-status'
  /** `params.max` is the limit in characters, `params.value` the offending text. */
  | 'too-long'
  /** A `role@office` entry with an empty role or office; `params.value` is the entry. */
  | 'invalid-membership';

/** A role held in an office, or in the whole workspace when `office` is null. */
export interface RosterMembership {
  role: string;
  office: string | null;
}

export interface RosterRow {
  /** 1-based spreadsheet row number as the user sees it (Excel's row for XLSX and for a CSV opened in Excel). */
  row: number;
  /** Trimmed and lower case; empty when the cell is (with a 'required' error). */
  email: string;
  /** Whitespace collapsed; may be empty: whether a name is needed depends on whether the user exists. */
  name: string;
  /** Every role key the row names, lower case, first occurrence order: plain ones and those of `role@office` entries. */
  roles: string[];
  /** Every office path the row names ('Direzione/Protocollo'): the offices column first, then those of `role@office` entries. */
  offices: string[];
  /** Plain roles paired with every office of the offices column (or null without offices), plus the `role@office` entries. */
  memberships: RosterMembership[];
  status: RosterStatus;
  errors: RosterError[];
}

/** What the writer needs of a user; a RosterRow is one. */
export interface RosterEntry {
  email: string;
  name: string;
  roles: readonly string[];
  offices: readonly string[];
  memberships: readonly RosterMembership[];
  status: RosterStatus;
}

/** Product limits, not database ones: they keep a bad file from filling the dry-run report with noise. */
export const ROSTER_LIMITS = {
  rows: 20_000,
  /** RFC 5321 §4.5.3.1: 254 characters for a forward path's address, 64 for its local part. */
  email: 254,
  emailLocalPart: 64,
  name: 200,
  role: 64,
  officeSegment: 200,
} as const;
