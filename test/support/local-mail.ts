import { randomBytes } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import { loadConfig } from '../../src/config/load-config.js';
import { LocalMailboxes } from '../../src/local-mail/local-mailboxes.js';
import { LocalMailRelay } from '../../src/local-mail/local-mail-relay.js';

/** An IMAP session on the local Dovecot (loopback, no TLS: the demo/test instance). */
export function imapClient(user: string, pass: string): ImapFlow {
  const config = loadConfig();
  return new ImapFlow({
    host: '127.0.0.1',
    port: config.DOVECOT_IMAP_PORT,
    secure: false,
    doSTARTTLS: false,
    auth: { user, pass },
    logger: false,
  });
}

export interface ReceivedMail {
  subject: string;
  /** The decoded plain-text body. */
  text: string;
}

/** Polls a mailbox's INBOX until a message whose subject matches arrives (or the time runs out). */
export async function waitForMail(user: string, pass: string, subject: RegExp, timeoutMs = 10_000): Promise<ReceivedMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = imapClient(user, pass);
    await client.connect();
    try {
      const lock = await client.getMailboxLock('INBOX');
      try {
        for await (const message of client.fetch('1:*', { envelope: true, source: true })) {
          if (message.envelope?.subject && subject.test(message.envelope.subject)) {
            const parsed = await simpleParser(message.source ?? Buffer.alloc(0));
            return { subject: message.envelope.subject, text: parsed.text ?? '' };
          }
        }
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
    if (Date.now() > deadline) throw new Error(`no mail matching ${String(subject)} reached ${user} in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * The local mail relay on a free port, with SMTP_URL pointing at it for apps started afterwards,
 * and a helper to give test addresses a Dovecot mailbox.
 */
export async function startLocalMail(): Promise<{ mailbox(address: string): Promise<string>; close(): Promise<void> }> {
  const config = loadConfig();
  const mailboxes = new LocalMailboxes(config);
  const relay = new LocalMailRelay(mailboxes, config);
  const port = await relay.listen(0);
  process.env.SMTP_URL = `smtp://127.0.0.1:${port}`;
  const created: string[] = [];
  return {
    async mailbox(address) {
      const password = randomBytes(12).toString('base64url');
      await mailboxes.ensure(address, password);
      created.push(address);
      return password;
    },
    async close() {
      await relay.close();
      for (const address of created) await mailboxes.remove(address);
    },
  };
}

/** How many messages in a mailbox's INBOX have a subject matching `subject`. */
export async function countMail(user: string, pass: string, subject: RegExp): Promise<number> {
  const client = imapClient(user, pass);
  await client.connect();
  try {
    const lock = await client.getMailboxLock('INBOX');
    try {
      let count = 0;
      for await (const message of client.fetch('1:*', { envelope: true })) {
        if (message.envelope?.subject && subject.test(message.envelope.subject)) count += 1;
      }
      return count;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}
