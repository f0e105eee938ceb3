import { z } from 'zod';
import { RECIPIENT_STATUSES } from '../correlation/recipient-states.js';

export const RECEIPT_TYPES = ['completa', 'breve', 'sintetica'] as const;

export const newPecMessageSchema = z
  .object({
    mailboxId: z.uuid(),
    to: z.array(z.email()).min(1),
    cc: z.array(z.email()).default([]),
    subject: z.string().trim().min(1).max(900),
    text: z.string().max(5_000_000).optional(),
    html: z.string().max(5_000_000).optional(),
    /** The avvenuta consegna asked for (`X-TipoRicevuta`); `completa` is the providers' default. */
    receiptType: z.enum(RECEIPT_TYPES).default('completa'),
    attachments: z
      .array(z.object({ filename: z.string().min(1).max(255), contentType: z.string().max(255).optional(), contentBase64: z.base64() }))
      .max(50)
      .default([]),
    /** The message this one answers: In-Reply-To and References point at it. */
    replyTo: z.uuid().optional(),
    /** A message to forward: attached whole, as an .eml file. */
    forwardOf: z.uuid().optional(),
  })
  .strict();
export type NewPecMessage = z.infer<typeof newPecMessageSchema>;

const eventSchema = z.object({
  kind: z.string().describe('queued, sending, submitted, throttled, refused, accettazione, avvenuta-consegna, errore-consegna, …'),
  status: z.enum(RECIPIENT_STATUSES),
  at: z.string(),
  providerId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export const recipientViewSchema = z.object({
  address: z.string(),
  field: z.enum(['to', 'cc']),
  status: z.enum(RECIPIENT_STATUSES),
  error: z.string().nullable(),
  providerId: z.string().nullable(),
  events: z.array(eventSchema),
});
const messageFields = {
  id: z.uuid(),
  mailboxId: z.uuid(),
  direction: z.enum(['in', 'out']),
  status: z.string().describe('the recipients’ common status, or partial'),
  subject: z.string(),
  from: z.string(),
  to: z.array(z.string()),
  cc: z.array(z.string()),
  receiptType: z.enum(RECEIPT_TYPES),
  messageId: z.string(),
  providerId: z.string().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
};
export const messageSummarySchema = z.object(messageFields);
export const attachmentViewSchema = z.object({
  key: z.string(),
  name: z.string(),
  contentType: z.string(),
  size: z.number(),
  part: z.enum(['original', 'envelope', 'source']).describe('an attachment of the message, daticert.xml/postacert.eml, or the whole .eml'),
  url: z.string().describe('GET it to download the bytes'),
  contentId: z.string().optional().describe('an inline part: the Content-ID the HTML body names it by (`cid:`), lowercased'),
});
const signerSchema = z.object({
  subject: z.string(),
  issuer: z.string(),
  serialNumber: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  emailAddresses: z.array(z.string()),
});
export const messageViewSchema = z.object({
  ...messageFields,
  kind: z.string().describe('posta-certificata, anomalia, not-pec, rem, …'),
  recipients: z.array(recipientViewSchema).describe('outgoing: each recipient with its timeline; incoming: empty'),
  body: z.object({
    text: z.string().nullable(),
    html: z.string().nullable().describe('sanitised: no script, event handler, style, frame or remote resource'),
  }),
  attachments: z.array(attachmentViewSchema),
  certified: z
    .object({
      providerId: z.string().nullable(),
      certifiedAt: z.string().nullable(),
      sender: z.string().nullable(),
      recipients: z.array(z.object({ address: z.string(), type: z.enum(['certificato', 'esterno']).nullable() })),
      provider: z.string().nullable(),
      providerAddress: z.string().nullable(),
      receiptType: z.enum(RECEIPT_TYPES).nullable(),
      error: z.string().nullable(),
    })
    .nullable()
    .describe('incoming PEC: the certification data (daticert.xml); null for outgoing and ordinary mail'),
  signature: z
    .object({
      status: z.enum(['valid', 'invalid', 'absent', 'not-checked']),
      reason: z.string().nullable(),
      signer: signerSchema.nullable(),
      signerMatchesFrom: z.boolean().nullable(),
    })
    .nullable()
    .describe('incoming: the provider’s S/MIME signature; null for outgoing'),
});
export const receiptViewSchema = z.object({
  id: z.uuid(),
  mailboxId: z.uuid(),
  kind: z.string(),
  receiptMessageId: z.string(),
  referencesMessageId: z.string().nullable(),
  providerId: z.string().nullable(),
  recipient: z.string().nullable(),
  messageId: z.uuid().nullable(),
  forwardedTo: z.string().nullable().describe('the module that applied a receipt about what it sent (campaign); null otherwise'),
  receivedAt: z.string(),
});

export type MessageSummary = z.infer<typeof messageSummarySchema>;
export type MessageView = z.infer<typeof messageViewSchema>;
export type ReceiptView = z.infer<typeof receiptViewSchema>;
