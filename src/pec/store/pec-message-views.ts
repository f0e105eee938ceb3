import type { StoredAttachment } from './incoming-content.js';
import type { IncomingDetails } from './incoming-details.js';
import { apiFileUrl, type MessageBody } from './message-content.js';
import type { PecReceipt, ShownMessage } from './pec-message.entities.js';
import type { RecipientWithEvents } from './pec-message.repository.js';
import type { MessageSummary, MessageView, ReceiptView } from './pec-message-input.js';

export function messageSummary(message: ShownMessage): MessageSummary {
  return {
    id: message.id,
    mailboxId: message.mailboxId,
    direction: message.direction,
    status: message.status,
    subject: message.subject,
    from: message.fromAddress,
    to: message.toAddresses,
    cc: message.ccAddresses,
    receiptType: message.receiptType,
    messageId: message.messageId,
    providerId: message.providerId,
    createdAt: message.createdAt.toISOString(),
    sentAt: message.sentAt?.toISOString() ?? null,
  };
}

export interface MessageExtras {
  body: MessageBody;
  files: StoredAttachment[];
}

export function messageView(message: ShownMessage, recipients: RecipientWithEvents[], extras: MessageExtras): MessageView {
  const incoming = message.direction === 'in' ? (message.parsed as unknown as IncomingDetails) : null;
  return {
    ...messageSummary(message),
    kind: message.kind,
    body: extras.body,
    attachments: extras.files.map((file) => ({
      ...file,
      url: apiFileUrl(message.id, file.key),
    })),
    certified: incoming?.certified ?? null,
    signature: incoming?.signature ?? null,
    recipients: recipients.map((row) => ({
      address: row.address,
      field: row.field,
      status: row.status,
      error: row.error,
      providerId: row.providerId,
      events: row.events.map((event) => ({
        kind: event.kind,
        status: event.status,
        at: event.at.toISOString(),
        providerId: event.providerId,
        details: event.details,
      })),
    })),
  };
}

/** The columns a listed receipt shows: the list reads these, never the sealed source or the parsed result. */
export const LISTED_RECEIPT_COLUMNS = [
  'id',
  'mailboxId',
  'kind',
  'receiptMessageId',
  'referencesMessageId',
  'providerId',
  'recipient',
  'messageId',
  'forwardedTo',
  'receivedAt',
] as const satisfies readonly (keyof PecReceipt)[];

export function receiptView(receipt: Pick<PecReceipt, (typeof LISTED_RECEIPT_COLUMNS)[number]>): ReceiptView {
  return {
    id: receipt.id,
    mailboxId: receipt.mailboxId,
    kind: receipt.kind,
    receiptMessageId: receipt.receiptMessageId,
    referencesMessageId: receipt.referencesMessageId,
    providerId: receipt.providerId,
    recipient: receipt.recipient,
    messageId: receipt.messageId,
    forwardedTo: receipt.forwardedTo,
    receivedAt: receipt.receivedAt.toISOString(),
  };
}
