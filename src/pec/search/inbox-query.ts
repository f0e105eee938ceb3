import { z } from 'zod';
import { RECEIPT_KINDS } from '../classification.js';
import type { PecKind } from '../pec-result.js';
import { RECEIPT_TYPES } from '../store/pec-message-input.js';
import { decodeCursor } from './inbox-cursor.js';

/** Every kind a row of the inbox can have (PecKind), for the filter. */
export const INBOX_KINDS = ['posta-certificata', 'anomalia', ...RECEIPT_KINDS, 'rem', 'not-pec'] as [PecKind, ...PecKind[]];
/** `a,b` or a repeated parameter, each value valid for `item`. */
export function listOf<T extends z.ZodType<string, string>>(item: T, max = 20) {
  return z
    .union([z.string(), z.array(z.string())])
    .transform((value) => (Array.isArray(value) ? value : value.split(',')).map((part) => part.trim()).filter(Boolean))
    .pipe(z.array(item).max(max));
}

const address = z.string().trim().toLowerCase().max(320);
/** A day (midnight UTC) or an ISO date-time with its offset. */
const instant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

/** The filters of the inbox, shared by the list, the page and the export. */
export const inboxFilterSchema = z.object({
  /** Words, in Italian, over subject, addresses, body and attachment names; `"…"` for a phrase, `-word` to exclude. */
  q: z.string().trim().max(200).optional(),
  mailboxId: z.uuid().optional(),
  direction: z.enum(['in', 'out']).optional(),
  /** `message` (the default: messages sent and received), `receipt` (receipts read), or `all`. */
  entry: z.enum(['message', 'receipt', 'all']).default('message'),
  kind: listOf(z.enum(INBOX_KINDS)).optional(),
  /** A message's status (queued … delivered, partial; incoming ones have theirs), a receipt's: matched or unmatched. */
  status: listOf(z.string().regex(/^[a-z-]{1,40}$/)).optional(),
  sender: address.optional(),
  recipient: address.optional(),
  since: instant.optional(),
  until: instant.optional(),
});
export type InboxFilter = z.infer<typeof inboxFilterSchema>;

export const inboxQuerySchema = inboxFilterSchema.extend({
  /** The `nextCursor` of the previous page: stable under inserts (keyset on time and id). */
  cursor: z
    .string()
    .max(200)
    .refine((value) => decodeCursor(value) !== null)
    .optional(),
  /** Offset paging, kept for existing clients; ignored with a cursor. */
  page: z.coerce.number().int().min(1).max(200).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export type InboxQuery = z.infer<typeof inboxQuerySchema>;

const itemFields = {
  id: z.uuid(),
  mailboxId: z.uuid(),
  entry: z.enum(['message', 'receipt']),
  direction: z.enum(['in', 'out']),
  kind: z.string().describe('posta-certificata, anomalia, accettazione, avvenuta-consegna, …'),
  status: z.string().describe('a message: its recipients’ common status, or partial; a receipt: matched or unmatched'),
  subject: z.string(),
  from: z.string(),
  to: z.array(z.string()),
  cc: z.array(z.string()),
  receiptType: z.enum(RECEIPT_TYPES).nullable(),
  messageId: z.string().describe('the Message-ID header'),
  providerId: z.string().nullable(),
  /** A receipt: the id of the message it matched. */
  relatedId: z.uuid().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
};
export const inboxItemSchema = z.object(itemFields);
export const inboxPageSchema = z.object({
  items: z.array(inboxItemSchema),
  /** Exact up to 1,000; beyond, 1,000 with `totalCapped` true (counting a million matches is not a list's job). */
  total: z.number(),
  totalCapped: z.boolean(),
  page: z.number(),
  pageSize: z.number(),
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: z.string().nullable(),
});
export type InboxItem = z.infer<typeof inboxItemSchema>;
export type InboxPage = z.infer<typeof inboxPageSchema>;
