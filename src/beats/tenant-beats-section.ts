import { z } from 'zod';

const day = z.iso.date();

/**
 * The `beats:` section of tenants/<slug>.yaml: the workspace's contract. `prices` override the
 * platform price list (beats per unit, by plug); `packs` are the packs the contract includes, added
 * once each (by `id`) at every tenant sync — the demo and test workspaces get their credit this way.
 */
export const tenantBeatsSectionSchema = z.strictObject({
  prices: z.record(z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/, 'must be a plug name'), z.number().int().min(0)).default({}),
  packs: z
    .array(
      z.strictObject({
        /** Stable name of the pack within the file: what makes a repeated sync add it once. */
        id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
        beats: z.number().int().positive(),
        purchased: day,
        /** The last day the pack counts (Italian time). */
        expires: day,
        contract: z.string().min(1).max(200).optional(),
      }),
    )
    .default([]),
});

export type TenantBeatsSection = z.infer<typeof tenantBeatsSectionSchema>;
