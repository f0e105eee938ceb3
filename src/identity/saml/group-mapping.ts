import type { SsoGrant, TenantSso } from './tenant-sso.js';

/** Group names compare case-insensitively and without surrounding blanks, as AD group names do. */
function normalise(group: string): string {
  return group.trim().toLowerCase();
}

/**
 * The roles in offices that the IdP's groups give: the tenant's default grants plus, for each
 * group the user is in, the grants the tenant file maps it to. Groups with no mapping are ignored.
 */
export function grantsForGroups(groups: string[], sso: Pick<TenantSso, 'groupMapping' | 'defaultGrants'>): SsoGrant[] {
  const mapping = new Map<string, SsoGrant[]>();
  for (const [group, grants] of Object.entries(sso.groupMapping))
    mapping.set(normalise(group), [...(mapping.get(normalise(group)) ?? []), ...grants]);
  const wanted = [...sso.defaultGrants, ...groups.flatMap((group) => mapping.get(normalise(group)) ?? [])];
  const unique = new Map(wanted.map((grant) => [`${grant.role}|${(grant.office ?? '').toLowerCase()}`, grant]));
  return [...unique.values()];
}
