import type { MeteredCall } from '../../beats/beats-meter.js';

/**
 * The metered `pec.send` call of one message: a unit per recipient (to + cc), held when the message
 * is queued, charged for the recipients the provider takes, released for the rest or when it refuses.
 * Keyed by the message id, so every job of one message meters the same call.
 */
export function sendCall(messageId: string, recipients: number, principal: { userId: string; email: string } | null): MeteredCall {
  return { plug: 'pec.send', units: recipients, key: messageId, principal, subject: { type: 'pec-message', id: messageId } };
}
