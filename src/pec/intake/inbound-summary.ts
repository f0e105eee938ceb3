import type { PecKind, PecResult } from '../pec-result.js';

/**
 * What the parser found, kept in clear for lists and correlation: the PEC contract fields and the
 * envelope, never a body, a text part or an attachment (those stay in the sealed source).
 */
export interface InboundSummary {
  kind: PecKind;
  protocol: PecResult['protocol'];
  receiptType: PecResult['receiptType'];
  error: PecResult['error'];
  referencesMessageId: string | null;
  recipient: string | null;
  providerId: string | null;
  messageId: string | null;
  sender: string | null;
  recipients: string[];
  subject: string | null;
  originalSubject: string | null;
  dates: PecResult['dates'];
  signature: PecResult['signature'];
}

export function summarise(result: PecResult): InboundSummary {
  return {
    kind: result.kind,
    protocol: result.protocol,
    receiptType: result.receiptType,
    error: result.error,
    referencesMessageId: result.referencesMessageId,
    recipient: result.recipient,
    providerId: result.providerId,
    messageId: result.messageId,
    sender: result.sender ?? null,
    recipients: result.recipients.map((recipient) => recipient.address),
    subject: result.subject ?? null,
    originalSubject: result.originalSubject ?? null,
    dates: result.dates,
    signature: result.signature,
  };
}
