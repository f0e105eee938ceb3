import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { tenantBeatsSectionSchema } from '../beats/tenant-beats-section.js';
import { pecIntakeSectionSchema } from '../pec/intake-flow/routing-rules.js';
import { campaignsSectionSchema } from '../campaigns/lifecycle/approval-settings.js';
import { tenantPecSectionSchema } from '../pec-provider/tenant-pec-section.js';
import { resolveSsoSection, ssoSectionSchema, type TenantSso } from '../identity/saml/tenant-sso.js';

const slugPattern = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** The shape of tenants/<slug>.yaml. Later modules (SSO, beats) add their sections here. */
export const tenantFileSchema = z.strictObject({
  name: z.string().min(1),
  domains: z.array(z.string().regex(/^[a-z0-9.-]+$/i, 'must be a domain name')).default([]),
  theme: z.string().regex(slugPattern, 'must name a folder in themes/'),
  locale: z.enum(['it', 'en']).default('it'),
  solutions: z.array(z.string().regex(slugPattern)).default([]),
  enabled: z.boolean().default(true),
  /** Single sign-on with the organisation's ADFS (see README, "Single sign-on"). */
  sso: ssoSectionSchema.optional(),
  /** Mailboxes of the local PEC provider (see README, "Local PEC provider"). */
  pec: tenantPecSectionSchema.optional(),
  /** The beats contract: prices overriding the platform's, packs included (see README, "Beats"). */
  beats: tenantBeatsSectionSchema.default({ prices: {}, packs: [] }),
  /** Where incoming PEC go and how long they may wait (see README, "Incoming PEC"). */
  pecIntake: pecIntakeSectionSchema.optional(),
  /** Campaign approval: levels and approvers (see README, "Campaign approval"). */
  campaigns: campaignsSectionSchema.optional(),
});

export interface TenantDefinition extends Omit<z.infer<typeof tenantFileSchema>, 'sso'> {
  slug: string;
  /** The sso section with its IdP metadata read and checked; null when the file has none. */
  sso: TenantSso | null;
}

export class TenantFileError extends Error {}

/** Reads and validates every tenants/*.yaml; one bad file fails the whole load with its name and field. */
export async function readTenantFiles(directory: string): Promise<TenantDefinition[]> {
  const files = (await readdir(directory)).filter((name) => /\.ya?ml$/.test(name)).sort();
  const definitions: TenantDefinition[] = [];
  for (const file of files) {
    const slug = file.replace(/\.ya?ml$/, '');
    if (!slugPattern.test(slug)) throw new TenantFileError(`${file}: the file name must be the tenant slug (a-z, 0-9, -)`);
    let raw: unknown;
    try {
      raw = parse(await readFile(path.join(directory, file), 'utf8'));
    } catch (error) {
      throw new TenantFileError(`${file}: not valid YAML (${(error as Error).message})`);
    }
    const parsed = tenantFileSchema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`);
      throw new TenantFileError(`${file}: ${problems.join('; ')}`);
    }
    let sso: TenantSso | null;
    try {
      sso = parsed.data.sso ? await resolveSsoSection(parsed.data.sso, directory) : null;
    } catch (error) {
      throw new TenantFileError(`${file}: sso.${(error as Error).message}`, { cause: error });
    }
    definitions.push({ ...parsed.data, slug, sso, domains: parsed.data.domains.map((domain) => domain.toLowerCase()) });
  }
  return definitions;
}
