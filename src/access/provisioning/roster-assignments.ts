import { ROSTER_LIMITS, type RosterError, type RosterMembership } from './roster.js';

export interface Assignments {
  roles: string[];
  offices: string[];
  memberships: RosterMembership[];
  errors: RosterError[];
}

/** Several values in one cell: a comma, a semicolon or a line break (Alt+Enter in Excel) between them. */
export function splitList(cell: string): string[] {
  return cell
    .split(/[,;\n]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Same rule as OfficeTree's paths: '/' or '>' between segments, segments trimmed, empty ones dropped. */
export function normaliseOfficePath(path: string): string {
  return path
    .split(/[/>]/)
    .map((segment) => segment.replace(/\s+/g, ' ').trim())
    .filter((segment) => segment !== '')
    .join('/');
}

export function normaliseRole(role: string): string {
  return role.replace(/\s+/g, ' ').trim().toLowerCase();
}

/**
 * The roles and offices cells of a row. Each plain role is held in every office of the offices column (in the whole
 * workspace when the column is empty); `role@office` in the roles column is that role in that office only.
 */
export function parseAssignments(rolesCell: string, officesCell: string): Assignments {
  const errors: RosterError[] = [];
  const columnOffices = unique(
    splitList(officesCell)
      .map((path) => officePath(path, 'offices', errors))
      .filter((path): path is string => path !== null && path !== ''),
  );
  const entryOffices: string[] = [];
  const roles: string[] = [];
  const memberships: RosterMembership[] = [];
  for (const entry of splitList(rolesCell)) {
    const at = entry.indexOf('@');
    const role = roleKey(at < 0 ? entry : entry.slice(0, at), errors);
    const office = at < 0 ? undefined : officePath(entry.slice(at + 1), 'roles', errors);
    if (role === '' || office === '') {
      if (at >= 0) errors.push({ field: 'roles', code: 'invalid-membership', params: { value: entry } });
      continue;
    }
    if (role === null || office === null) continue;
    roles.push(role);
    if (office !== undefined) {
      entryOffices.push(office);
      memberships.push({ role, office });
    } else if (columnOffices.length === 0) memberships.push({ role, office: null });
    else for (const path of columnOffices) memberships.push({ role, office: path });
  }
  return {
    roles: unique(roles),
    offices: unique([...columnOffices, ...entryOffices]),
    memberships: uniqueMemberships(memberships),
    errors,
  };
}

/** '' for an empty role, null for one refused with an error. */
function roleKey(text: string, errors: RosterError[]): string | null {
  const role = normaliseRole(text);
  if (role.length <= ROSTER_LIMITS.role) return role;
  errors.push({ field: 'roles', code: 'too-long', params: { max: ROSTER_LIMITS.role, value: role.slice(0, 40) } });
  return null;
}

/** '' for an empty path, null for one refused with an error. */
function officePath(text: string, field: 'roles' | 'offices', errors: RosterError[]): string | null {
  const path = normaliseOfficePath(text);
  const long = path.split('/').find((segment) => segment.length > ROSTER_LIMITS.officeSegment);
  if (long === undefined) return path;
  errors.push({ field, code: 'too-long', params: { max: ROSTER_LIMITS.officeSegment, value: long.slice(0, 40) } });
  return null;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function uniqueMemberships(memberships: readonly RosterMembership[]): RosterMembership[] {
  const seen = new Set<string>();
  return memberships.filter(({ role, office }) => {
    const key = `${role}\u0000${office ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
