/** PEC law caps a message at 30 MB whatever the contract says (pec-protocol.md §1, RFC 6109 §3.1.1). */
export const PEC_MAX_MESSAGE_BYTES = 30 * 1024 * 1024;

/** Headers, MIME boundaries and part headers of one message, generously. */
const MIME_OVERHEAD_BYTES = 16 * 1024;

/** An attachment on the wire: base64 (4 bytes per 3) with a CRLF every 76 characters (RFC 2045 §6.8). */
export function encodedSize(bytes: number): number {
  const base64 = Math.ceil(bytes / 3) * 4;
  return base64 + Math.ceil(base64 / 76) * 2;
}

/** The most a message from this mailbox may weigh: its profile's limit, never above the legal one. */
export function maxMessageBytes(maxMessageMb: number): number {
  return Math.min(maxMessageMb * 1024 * 1024, PEC_MAX_MESSAGE_BYTES);
}

/**
 * What is left, in encoded bytes, for a recipient's own attachment once the body (the templates' size: rendered
 * variables rarely add much, and a row whose values do is caught by the sender) and the campaign-wide attachments
 * are in. Negative when those alone are too large.
 */
export function rowAttachmentBudget(maxBytes: number, bodyBytes: number, campaignAttachmentSizes: readonly number[]): number {
  const shared = campaignAttachmentSizes.reduce((sum, size) => sum + encodedSize(size), 0);
  return maxBytes - MIME_OVERHEAD_BYTES - bodyBytes * 2 - shared;
}
