import type { ImapFlowOptions } from 'imapflow';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { Endpoint } from './mailbox-presets.js';

interface Login {
  username: string;
  password: string;
}

/** How a mailbox's SMTP endpoint is reached: the security mode decides TLS from the start, STARTTLS or none. */
export function smtpOptions(smtp: Endpoint, { username, password }: Login): SMTPTransport.Options {
  return {
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === 'tls',
    requireTLS: smtp.security === 'starttls',
    ignoreTLS: smtp.security === 'none',
    auth: { user: username, pass: password },
  };
}

/** How a mailbox's IMAP endpoint is reached; the probe and the intake reader add their own timeouts. */
export function imapOptions(imap: Endpoint, { username, password }: Login): ImapFlowOptions {
  return {
    host: imap.host,
    port: imap.port,
    secure: imap.security === 'tls',
    // true: STARTTLS or fail; false: never (loopback); implicit TLS needs neither.
    doSTARTTLS: imap.security === 'tls' ? undefined : imap.security === 'starttls',
    auth: { user: username, pass: password },
    logger: false,
  };
}
