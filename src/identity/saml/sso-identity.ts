import type { Profile } from '@node-saml/passport-saml';
import { NAME_ID_CLAIM, type TenantSso } from './tenant-sso.js';

/** Who the IdP says signed in, in pecflow's terms. */
export interface SsoIdentity {
  /** Lower case; the account key within the tenant. */
  email: string;
  displayName: string;
  groups: string[];
}

export class MissingEmailClaimError extends Error {
  constructor(readonly tried: string[]) {
    super(`the assertion has none of the e-mail claims ${tried.join(', ')}`);
  }
}

/** A claim's values as strings (node-saml gives one value as a string, several as an array). */
function values(profile: Profile, claim: string): string[] {
  if (claim === NAME_ID_CLAIM) return profile.nameID ? [profile.nameID] : [];
  const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
  const raw = attributes[claim];
  return (Array.isArray(raw) ? raw : [raw])
    .filter((value): value is string => typeof value === 'string' && value.trim() !== '')
    .map((v) => v.trim());
}

function first(profile: Profile, claims: string[]): string | undefined {
  for (const claim of claims) {
    const [value] = values(profile, claim);
    if (value !== undefined) return value;
  }
  return undefined;
}

/**
 * Maps a validated assertion (node-saml's profile: only signed content) to an identity, with the
 * claim names of the tenant file. The NameID is the last resort for the e-mail: ADFS sends the UPN
 * or the e-mail there when the relying party trust says so.
 */
export function identityFromProfile(profile: Profile, claims: TenantSso['claims']): SsoIdentity {
  const emailClaims = [...claims.email, NAME_ID_CLAIM];
  const email = emailClaims
    .map((claim) => values(profile, claim)[0])
    .find((value) => value !== undefined && /^[^\s@]+@[^\s@]+$/.test(value));
  if (!email) throw new MissingEmailClaimError(emailClaims);
  const fullName = [first(profile, claims.givenName), first(profile, claims.surname)].filter(Boolean).join(' ');
  const displayName = first(profile, claims.name) ?? (fullName || email);
  const groups = [...new Set(claims.groups.flatMap((claim) => values(profile, claim)))];
  return { email: email.toLowerCase(), displayName: displayName.slice(0, 200), groups };
}
