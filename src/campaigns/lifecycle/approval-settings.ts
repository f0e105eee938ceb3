import { z } from 'zod';
import { parseActors } from '../../access/actors.js';

/** An actor list as camunda:candidateGroups takes it (`role:admin`, `role:manager@Direzione`…), checked when the file is read. */
const actorList = z.string().refine(
  (text) => {
    try {
      return parseActors(text).length > 0;
    } catch {
      return false;
    }
  },
  { message: 'must be a list of actors (role:…, office:…, group:…, user:…)' },
);

/**
 * The `campaigns:` section of tenants/<slug>.yaml (docs/decisions/0028): how many approval levels a campaign
 * needs before it may send and who approves each level. The first level defaults to the managers of the
 * offices of the campaign's mailbox (the office that sends), the second to the workspace's admins.
 */
export const campaignsSectionSchema = z.strictObject({
  approval: z
    .strictObject({
      levels: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(0),
      firstApprovers: actorList.optional(),
      secondApprovers: actorList.default('role:admin'),
    })
    .default({ levels: 0, secondApprovers: 'role:admin' }),
});
export type CampaignsSettings = z.infer<typeof campaignsSectionSchema>;

export const DEFAULT_CAMPAIGNS_SETTINGS: CampaignsSettings = { approval: { levels: 0, secondApprovers: 'role:admin' } };

/** The managers of the offices a campaign's mailbox belongs to: the first level's approvers when the tenant names none. */
export function officeManagers(officePaths: readonly string[]): string {
  return officePaths.map((office) => `role:manager@${office}`).join(', ');
}
