/**
 * A campaign's lifecycle (issue #7 item 1): draft → awaiting-approval → scheduled or started → sending →
 * monitoring (receipts until every recipient is final or past 24 h) → closed; paused and cancelled from any
 * active state. This slice creates drafts only; the BPMN process moves the rest.
 */
export const CAMPAIGN_STATUSES = [
  'draft',
  'awaiting-approval',
  'scheduled',
  'started',
  'sending',
  'monitoring',
  'closed',
  'paused',
  'cancelled',
] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/**
 * One recipient's state, the sending pipeline's source of truth. `invalid` rows failed import validation and are
 * never sent; `failed-timeout` is the 24 h mancata consegna (DM 2/11/2005 art. 9), `warned` the 12 h preavviso.
 */
export const RECIPIENT_STATES = [
  'invalid',
  'queued',
  'sending',
  'sent',
  'accepted',
  'delivered',
  'failed',
  'warned',
  'failed-timeout',
] as const;
export type RecipientState = (typeof RECIPIENT_STATES)[number];

/** Importing the recipients sheet runs in the worker; the campaign cannot leave draft until it is `done`. */
export const IMPORT_STATES = ['pending', 'running', 'done', 'failed'] as const;
export type ImportState = (typeof IMPORT_STATES)[number];

export const FILE_KINDS = ['recipients', 'attachment', 'recipient-attachment'] as const;
export type CampaignFileKind = (typeof FILE_KINDS)[number];
