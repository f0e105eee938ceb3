import { z } from 'zod';
import { campaignViewSchema } from '../campaign-input.js';
import { RECIPIENT_STATES } from '../campaign-states.js';

/** An empty query parameter is an absent one: the drill-down's filter form sends every field. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/** `GET /api/v1/campaigns/:id/recipients`: filters and the keyset cursor (the last row number of the previous page). */
export const recipientQuerySchema = z.object({
  state: optional(z.enum(RECIPIENT_STATES)),
  error: optional(z.string().trim().max(200)),
  q: optional(z.string().trim().max(320)),
  after: optional(z.coerce.number().int().min(0)),
  limit: optional(z.coerce.number().int().min(1).max(500)),
});
export type RecipientQuery = z.infer<typeof recipientQuerySchema>;

const when = z.string().nullable();

export const recipientRowSchema = z.object({
  row: z.number().describe('the row number in the uploaded sheet'),
  address: z.string(),
  state: z.enum(RECIPIENT_STATES),
  errorCode: z.string().nullable(),
  errorText: z.string().nullable(),
  providerId: z.string().nullable(),
  messageId: z.string(),
  times: z.object({
    attemptedAt: when,
    sentAt: when,
    acceptedAt: when,
    deliveredAt: when,
    warnedAt: when,
    failedAt: when,
  }),
});
export type RecipientRow = z.infer<typeof recipientRowSchema>;

export const recipientPageSchema = z.object({
  recipients: z.array(recipientRowSchema),
  next: z.number().nullable().describe('pass as `after` for the next page; null on the last one'),
});
export type RecipientPage = z.infer<typeof recipientPageSchema>;

const countsSchema = campaignViewSchema.shape.counts;

export const dashboardSchema = z.object({
  counts: countsSchema,
  curve: z.object({
    bucketMinutes: z.number().describe('the width of a point: 1 minute, wider for long campaigns (at most 120 points)'),
    points: z.array(z.object({ at: z.string(), sent: z.number(), delivered: z.number(), failed: z.number() })),
  }),
});

export const overviewSchema = z.object({
  totals: countsSchema,
  campaigns: z.array(
    z.object({
      id: z.uuid(),
      name: z.string(),
      status: z.string(),
      mailbox: z.object({ id: z.uuid(), address: z.string() }),
      counts: countsSchema,
    }),
  ),
});

export const resentSchema = z.object({
  id: z.uuid().describe('the new draft campaign'),
  recipients: z.number().describe('the failed recipients copied into it'),
});
