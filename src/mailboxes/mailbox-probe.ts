import { Injectable } from '@nestjs/common';
import { ImapFlow } from 'imapflow';
import { createTransport } from 'nodemailer';
import { imapOptions, smtpOptions } from './mail-connections.js';
import type { Endpoint } from './mailbox-presets.js';

export const PROBE_REASONS = ['auth-failed', 'connection-refused', 'tls', 'timeout', 'host-not-found', 'protocol'] as const;
export type ProbeReason = (typeof PROBE_REASONS)[number];

export interface ProbeOutcome {
  ok: boolean;
  reason?: ProbeReason;
}

export interface ProbeTarget {
  smtp: Endpoint;
  imap: Endpoint;
  username: string;
  password: string;
}

/** Long enough for a provider that delays a failed login (Dovecot waits 2 s), short enough for a person waiting. */
const TIMEOUT_MS = 15_000;

/**
 * Logs in to the mailbox's SMTP and IMAP servers and logs out again: it sends nothing and reads
 * nothing. SMTP uses nodemailer's verify (connect, TLS, EHLO, AUTH when the server offers it).
 */
@Injectable()
export class MailboxProbe {
  async probe(target: ProbeTarget): Promise<{ smtp: ProbeOutcome; imap: ProbeOutcome }> {
    const [smtp, imap] = await Promise.all([this.smtp(target), this.imap(target)]);
    return { smtp, imap };
  }

  private async smtp(target: ProbeTarget): Promise<ProbeOutcome> {
    const transport = createTransport({
      ...smtpOptions(target.smtp, target),
      connectionTimeout: TIMEOUT_MS,
      greetingTimeout: TIMEOUT_MS,
      socketTimeout: TIMEOUT_MS,
      logger: false,
    });
    try {
      await transport.verify();
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: reasonOf(error) };
    } finally {
      transport.close();
    }
  }

  private async imap(target: ProbeTarget): Promise<ProbeOutcome> {
    const client = new ImapFlow({
      ...imapOptions(target.imap, target),
      connectionTimeout: TIMEOUT_MS,
      greetingTimeout: TIMEOUT_MS,
      socketTimeout: TIMEOUT_MS,
    });
    // A failed connection is reported by connect(); the event would otherwise be unhandled.
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.logout();
      return { ok: true };
    } catch (error) {
      client.close();
      return { ok: false, reason: reasonOf(error) };
    }
  }
}

/** Names the failure the way an admin can act on it; nodemailer and imapflow report them differently. */
export function reasonOf(error: unknown): ProbeReason {
  const e = (error ?? {}) as { code?: unknown; authenticationFailed?: unknown; message?: unknown };
  if (e.code === 'EAUTH' || e.authenticationFailed === true) return 'auth-failed';
  const text = `${typeof e.code === 'string' ? e.code : ''} ${typeof e.message === 'string' ? e.message : ''}`;
  if (/ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH/.test(text)) return 'connection-refused';
  if (e.code === 'ETLS' || /SSL|TLS|certificate|CERT_/i.test(text)) return 'tls';
  if (/ETIMEDOUT|ETIMEOUT|CONNECT_TIMEOUT|GREETING_TIMEOUT|timeout|Greeting never received/i.test(text)) return 'timeout';
  if (/ENOTFOUND|EAI_AGAIN|EDNS/.test(text)) return 'host-not-found';
  return 'protocol';
}
