import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { access, constants } from 'node:fs/promises';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { createTransport } from 'nodemailer';
import { loadConfig } from '../../src/config/load-config.js';
import { LocalMailRelay } from '../../src/local-mail/local-mail-relay.js';
import { LocalMailboxes } from '../../src/local-mail/local-mailboxes.js';

// Runs against the real Dovecot of this test run (test/support/run-dovecot.mjs starts it).
const config = loadConfig();
// Dovecot answers a failed login only after auth_failure_delay (2 s).
jest.setTimeout(20_000);

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port, timeout: 2_000 });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

async function requireDovecot(): Promise<void> {
  for (const [what, port] of [
    ['IMAP', config.DOVECOT_IMAP_PORT],
    ['LMTP', config.DOVECOT_LMTP_PORT],
  ] as const) {
    if (!(await reachable(port))) {
      throw new Error(`Dovecot ${what} is not listening on 127.0.0.1:${port}. Start it with: sudo scripts/services.sh`);
    }
  }
  try {
    await access(join(config.DOVECOT_DIR, 'users'), constants.R_OK | constants.W_OK);
    await access(config.DOVECOT_DIR, constants.W_OK);
  } catch {
    throw new Error(`${config.DOVECOT_DIR}/users must be writable by this user to create test mailboxes (run as root)`);
  }
}

function imap(user: string, pass: string): ImapFlow {
  return new ImapFlow({
    host: '127.0.0.1',
    port: config.DOVECOT_IMAP_PORT,
    secure: false,
    doSTARTTLS: false, // loopback demo instance without TLS
    auth: { user, pass },
    logger: false,
  });
}

describe('local mail: relay → LMTP → Dovecot → IMAP', () => {
  const tag = randomBytes(6).toString('hex');
  const address = `t-${tag}@demo.test`;
  const password = randomBytes(12).toString('base64url');
  const mailboxes = new LocalMailboxes(config);
  const relay = new LocalMailRelay(mailboxes, config);
  let relayPort: number;

  const smtp = () => createTransport({ host: '127.0.0.1', port: relayPort, secure: false, ignoreTLS: true });

  beforeAll(async () => {
    await requireDovecot();
    await mailboxes.ensure(address, password);
    relayPort = await relay.listen(0);
  });

  afterAll(async () => {
    await relay.close();
    await mailboxes.remove(address);
  });

  it('delivers a mail sent to the relay into the INBOX, readable over IMAP', async () => {
    const subject = `Reimposta la password ${tag}`;
    const text = `Apri questo collegamento per scegliere una nuova password: ${tag}`;

    // Upper case on purpose: mailboxes are matched case-insensitively, as Dovecot does (%Lu).
    const info = await smtp().sendMail({ from: 'pecflow <no-reply@pecflow.localhost>', to: address.toUpperCase(), subject, text });
    expect(info.accepted.map((to) => to.toLowerCase())).toEqual([address]);

    const client = imap(address, password);
    await client.connect();
    try {
      await client.mailboxOpen('INBOX');
      const uids = await client.search({ subject: tag }, { uid: true });
      expect(uids).toHaveLength(1);
      const message = await client.fetchOne(String((uids as number[])[0]), { envelope: true, source: true }, { uid: true });
      expect(message && message.envelope?.subject).toBe(subject);
      const source = message && message.source ? message.source.toString('utf8') : '';
      expect(source).toContain(text);
      expect(source).toMatch(/^Received: from .*\r\n\tby .* \(pecflow local mail\) with E?SMTP id /m);
    } finally {
      await client.logout();
    }
  });

  it('refuses RCPT TO an unknown mailbox with 550 5.1.1', async () => {
    const unknown = `nobody-${tag}@demo.test`;

    await expect(smtp().sendMail({ from: 'a@demo.test', to: unknown, subject: 'x', text: 'x' })).rejects.toMatchObject({
      responseCode: 550,
      response: expect.stringMatching(/^550 5\.1\.1 .*does not exist/),
    });

    // With a known recipient too, only the unknown one is refused.
    const info = await smtp().sendMail({ from: 'a@demo.test', to: [address, unknown], subject: `mixed ${tag}`, text: 'x' });
    expect(info.accepted).toEqual([address]);
    expect(info.rejected).toEqual([unknown]);
  });

  it('delivers a bounce (null sender, MAIL FROM:<>)', async () => {
    const info = await smtp().sendMail({
      envelope: { from: '', to: [address] },
      raw: `From: MAILER-DAEMON@demo.test\r\nTo: ${address}\r\nSubject: bounce ${tag}\r\n\r\nundeliverable\r\n`,
    });
    expect(info.accepted).toEqual([address]);
  });

  it('answers 451 4.3.0 when Dovecot does not take the message, so the sender retries', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const broken = new LocalMailRelay(mailboxes, { ...config, DOVECOT_LMTP_PORT: closedPort });
    const port = await broken.listen(0);
    try {
      const client = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
      await expect(client.sendMail({ from: 'a@demo.test', to: address, subject: 'x', text: 'x' })).rejects.toMatchObject({
        responseCode: 451,
        response: expect.stringMatching(/^451 4\.3\.0 /),
      });
    } finally {
      await broken.close();
    }
  });

  it('refuses an IMAP login with a wrong password', async () => {
    const client = imap(address, `${password}-wrong`);
    client.on('error', () => undefined); // the failure is asserted through connect()

    await expect(client.connect()).rejects.toMatchObject({ authenticationFailed: true });
    client.close();
  });
});
