import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { parseFederationMetadata, type IdpDescriptor } from './federation-metadata.js';

/** Short names for the claim types ADFS issues; a full claim URI is accepted as well. */
export const CLAIM_ALIASES: Readonly<Record<string, string>> = {
  upn: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn',
  emailaddress: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
  givenname: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname',
  surname: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname',
  role: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
  group: 'http://schemas.xmlsoap.org/claims/Group',
  windowsaccountname: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/windowsaccountname',
};

/** The assertion's Subject NameID, usable wherever a claim is named. */
export const NAME_ID_CLAIM = 'nameid';

const claimName = z
  .string()
  .trim()
  .min(1)
  .refine((name) => name === NAME_ID_CLAIM || name in CLAIM_ALIASES || /^[a-z][a-z0-9+.-]*:/i.test(name), {
    message: `must be a claim URI, "${NAME_ID_CLAIM}" or one of ${Object.keys(CLAIM_ALIASES).join(', ')}`,
  })
  .transform((name) => CLAIM_ALIASES[name] ?? name);
/** One claim or several: for e-mail and name the first one present wins; for groups all are read. */
const claimList = z.union([claimName, z.array(claimName).min(1)]).transform((names) => (Array.isArray(names) ? names : [names]));

const grant = z.strictObject({
  role: z.string().trim().min(1),
  office: z.string().trim().min(1).nullable().default(null),
});
export type SsoGrant = z.infer<typeof grant>;

const claimsSchema = z.strictObject({
  /** Identifies the user: matched against (and stored as) the account's e-mail. */
  email: claimList.default([CLAIM_ALIASES.emailaddress!, CLAIM_ALIASES.upn!]),
  /** The display name; given name + surname, then the e-mail, when absent. */
  name: claimList.default([CLAIM_ALIASES.name!]),
  givenName: claimList.default([CLAIM_ALIASES.givenname!]),
  surname: claimList.default([CLAIM_ALIASES.surname!]),
  groups: claimList.default([CLAIM_ALIASES.role!, CLAIM_ALIASES.group!]),
});

/** Everything but where the IdP is: shared by the tenant file section and what is stored. */
const ssoSettings = {
  provider: z.literal('adfs').default('adfs'),
  /** Shown on the sign-in button: "Accedi con <displayName>". */
  displayName: z.string().trim().min(1).max(80),
  /** ADFS' default is AssertionOnly; keep true and set the RP trust to MessageAndAssertion. */
  requireSignedResponse: z.boolean().default(true),
  clockSkewSeconds: z.number().int().min(0).max(600).default(60),
  /** Create unknown users at their first sign-in; otherwise they are refused. */
  justInTime: z.boolean().default(false),
  /** admins-only: the password form is kept for administrators (a fallback when the IdP is down). */
  localLogin: z.enum(['all', 'admins-only']).default('all'),
  claims: claimsSchema.prefault({}),
  /** Group claim value (case-insensitive) → roles in offices. Groups not listed are ignored. */
  groupMapping: z.record(z.string().trim().min(1), z.array(grant)).default({}),
  /** Given to every SSO user on top of the mapped groups. */
  defaultGrants: z.array(grant).default([]),
};

/** The `sso` section of tenants/<slug>.yaml. */
export const ssoSectionSchema = z
  .strictObject({
    ...ssoSettings,
    /** FederationMetadata.xml saved beside the tenant files (path relative to tenants/). */
    metadataFile: z.string().trim().min(1).optional(),
    metadataXml: z.string().trim().min(1).optional(),
  })
  .refine((section) => (section.metadataFile === undefined) !== (section.metadataXml === undefined), {
    message: 'give exactly one of metadataFile or metadataXml',
  });
export type SsoSection = z.infer<typeof ssoSectionSchema>;

const idpSchema = z.strictObject({
  entityId: z.string().min(1),
  ssoUrl: z.url(),
  sloUrl: z.url().nullable(),
  signingCertificates: z.array(z.string().min(1)).min(1),
}) satisfies z.ZodType<IdpDescriptor>;

/** What tenants.sso holds: the section with the IdP read from its metadata (replicas need no files). */
export const tenantSsoSchema = z.strictObject({ ...ssoSettings, idp: idpSchema });
export type TenantSso = z.infer<typeof tenantSsoSchema>;

/** Reads the section's metadata, so a bad FederationMetadata.xml fails the tenant sync, not a sign-in. */
export async function resolveSsoSection(section: SsoSection, tenantsDir: string): Promise<TenantSso> {
  const { metadataFile, metadataXml, ...settings } = section;
  const where = metadataFile !== undefined ? `metadataFile (${metadataFile})` : 'metadataXml';
  let xml = metadataXml ?? '';
  if (metadataFile !== undefined) {
    const base = path.resolve(tenantsDir);
    const file = path.resolve(base, metadataFile);
    if (path.relative(base, file).startsWith('..')) throw new Error(`${where}: must be inside the tenants folder`);
    xml = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new Error(`${where}: cannot be read (${error.code ?? error.message})`);
    });
  }
  try {
    return { ...settings, idp: parseFederationMetadata(xml) };
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`, { cause: error });
  }
}
