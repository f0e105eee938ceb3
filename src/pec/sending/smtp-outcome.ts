import type { ProviderSignal } from '../../pacing/mailbox-breaker.js';

/**
 * What an SMTP failure means for a PEC submission:
 * - `throttled`: the provider certainly did not take the message and asks us to come back later
 *   (any 4xx, and provider texts that say "too much traffic" under a 5xx: Legalmail answers
 *   `550 … Too much traffic`); connection and login failures before DATA are the same;
 * - `refused`: a 5xx the provider means: final, the recipients are `refused`;
 * - `unknown`: the connection broke after the message may have been taken (during or after DATA):
 *   never resend, the accettazione or non-accettazione will tell.
 * and what it says about the whole mailbox (`signal`, the circuit breaker's input, decision 0025):
 * `slow-down` for a provider's rate reply, `unreachable` for a failed connection or login,
 * `answered` for anything else (a reply about this message only).
 */
export type SmtpOutcome = 'throttled' | 'refused' | 'unknown';

export interface SmtpFailure {
  outcome: SmtpOutcome;
  signal: ProviderSignal;
  /** The server's reply or the error, for the timeline. */
  reply: string;
}

/**
 * Replies that mean "slow down" whatever their code: Legalmail's `550 5.7.1 … Too much traffic from
 * this sender` (research/campaign-anchors.md provider facts), the common English rate texts (SES's
 * `454 Throttling failure`, `450 Too many requests`, `4.7.1 rate limit`) and the Italian ones of
 * providers' and our local provider's answers ("limite di invio", "troppi messaggi").
 */
const THROTTLE_TEXTS = [
  /too much traffic/i,
  /too many (messages|recipients|connections|requests)/i,
  /rate limit/i,
  /throttl/i,
  /try again later/i,
  /limite (di invio|giornaliero)/i,
  /troppi (messaggi|destinatari|invii)/i,
];

/** Nodemailer codes of failures that happen before the message could have been taken. */
const BEFORE_DATA = new Set(['ECONNECTION', 'EDNS', 'EAUTH', 'ETLS', 'EENVELOPE', 'ENOAUTH']);
/** Of those, the ones that say the mailbox cannot be reached or logged in to (not this message's fault). */
const UNREACHABLE = new Set(['ECONNECTION', 'EDNS', 'EAUTH', 'ETLS', 'ENOAUTH', 'ETIMEDOUT', 'ESOCKET']);

interface NodemailerError {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
}

export function classifySmtpFailure(error: unknown): SmtpFailure {
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as NodemailerError;
  const reply = e.response ?? e.message ?? String(error);
  if (e.responseCode !== undefined) {
    // 421: the provider closes the session (busy, too many connections); the rest by their text.
    const slowDown = e.responseCode === 421 || THROTTLE_TEXTS.some((text) => text.test(reply));
    const signal = slowDown ? 'slow-down' : 'answered';
    if (e.responseCode >= 400 && e.responseCode < 500) return { outcome: 'throttled', signal, reply };
    if (slowDown) return { outcome: 'throttled', signal, reply };
    if (e.responseCode >= 500) return { outcome: 'refused', signal, reply };
  }
  const signal = e.code && UNREACHABLE.has(e.code) ? 'unreachable' : 'answered';
  if (e.code && BEFORE_DATA.has(e.code)) return { outcome: 'throttled', signal, reply };
  return { outcome: 'unknown', signal, reply };
}
