import { z } from 'zod';
import { CAMPAIGN_STATUSES, IMPORT_STATES } from './campaign-states.js';

/** An empty form field is an absent one (HTML forms and curl -F send ''). */
const optionalText = (max: number) =>
  z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), z.string().max(max).optional());

/** The text fields of `POST /api/v1/campaigns` (multipart); the files come beside them. */
export const newCampaignSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    mailboxId: z.uuid(),
    subject: z.string().trim().min(1).max(900),
    html: optionalText(2_000_000),
    text: optionalText(2_000_000),
    addressColumn: z.preprocess((value) => (value === '' ? undefined : value), z.string().trim().min(1).max(200).default('pec')),
    attachmentColumn: optionalText(200),
  })
  .strict()
  .refine((input) => input.html !== undefined || input.text !== undefined, { path: ['html'], message: 'html or text' });
export type NewCampaign = z.infer<typeof newCampaignSchema>;

export const testSendSchema = z.object({ to: z.email(), row: z.coerce.number().int().min(1).optional() }).strict();

const countsSchema = z.object({
  total: z.number().describe('recipients that will be sent (invalid rows excluded)'),
  queued: z.number(),
  sending: z.number(),
  sent: z.number(),
  accepted: z.number(),
  delivered: z.number(),
  failed: z.number().describe('failed, the 24 h timeouts included'),
  warned: z.number(),
  invalid: z.number(),
});

export const campaignSummarySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  status: z.enum(CAMPAIGN_STATUSES),
  mailbox: z.object({ id: z.uuid(), address: z.string() }),
  createdAt: z.string(),
  import: z.object({
    state: z.enum(IMPORT_STATES),
    rows: z.number().describe('data rows read so far'),
    error: z.string().nullable().describe('why the file could not be imported, in the caller’s language'),
  }),
  recipients: z.number().nullable().describe('null until the import is done'),
  invalid: z.number().nullable(),
  beatsNeeded: z.number().nullable(),
});

export const campaignViewSchema = campaignSummarySchema.extend({
  counts: countsSchema,
  estimate: z
    .object({ perMinute: z.number(), perDay: z.number(), estimatedSeconds: z.number(), beatsPerRecipient: z.number() })
    .describe('the mailbox profile’s pace and the sending time it gives'),
  columns: z.array(z.string()),
  addressColumn: z.string(),
  attachmentColumn: z.string().nullable(),
  templates: z.object({ subject: z.string(), html: z.string().nullable(), text: z.string().nullable() }),
  attachments: z.array(z.object({ id: z.uuid(), filename: z.string(), size: z.number() })),
  recipientAttachments: z.number().describe('files in the per-recipient ZIP'),
});

export const createdCampaignSchema = z.object({
  id: z.uuid(),
  recipients: z.number().nullable().describe('valid recipients; null while a large import still runs (see import)'),
  invalid: z.number().nullable(),
  beatsNeeded: z.number().nullable(),
  import: campaignSummarySchema.shape.import,
});

export const previewSchema = z.object({
  row: z.number(),
  address: z.string(),
  valid: z.boolean(),
  errors: z.array(z.object({ column: z.string(), code: z.string(), message: z.string() })),
  subject: z.string().nullable(),
  html: z.string().nullable(),
  text: z.string().nullable(),
});

export type CampaignSummary = z.infer<typeof campaignSummarySchema>;
export type CampaignView = z.infer<typeof campaignViewSchema>;
export type CreatedCampaign = z.infer<typeof createdCampaignSchema>;
export type RecipientPreview = z.infer<typeof previewSchema>;
