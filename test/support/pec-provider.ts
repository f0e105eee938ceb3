import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { createTransport } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { loadConfig } from '../../src/config/load-config.js';
import { LocalMailboxes } from '../../src/local-mail/local-mailboxes.js';
import { PecProvider } from '../../src/pec-provider/pec-provider.js';
import { ProviderMailboxes } from '../../src/pec-provider/provider-mailboxes.js';
import { PROFILES, type SendingLimits } from '../../src/pec-provider/rate-limiter.js';
import { TransmissionLog, type LogEntry } from '../../src/pec-provider/transmission-log.js';
import { connectRedis } from '../../src/queue/redis.module.js';
import type { ApiClient } from './api-client.js';
import { imapClient } from './local-mail.js';

export interface PecProviderHarness {
  port: number;
  dataDir: string;
  /** Creates a PEC mailbox (random password, returned) and removes it at close(). */
  mailbox(address: string, limits?: SendingLimits): Promise<string>;
  /** Creates an ordinary (non-PEC) mailbox in the local Dovecot (random password, returned), removed at close(). */
  ordinaryMailbox(address: string): Promise<string>;
  /** Submits over SMTP as `user`; resolves with the server's reply text. */
  send(user: { address: string; password: string }, mail: Mail.Options): Promise<string>;
  /** What the provider took from this sender (its 250s), oldest first: when, and which Message-ID. */
  log(sender: string): Promise<LogEntry[]>;
  close(): Promise<void>;
}

/**
 * The local PEC provider in-process on a free port, with its own data dir (test CA and keys) and
 * the test run's Redis prefix. `env` overrides configuration (PEC_PROVIDER_* keys).
 */
export async function startPecProvider(env: Record<string, string> = {}): Promise<PecProviderHarness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'pecflow-pec-provider-'));
  const config = loadConfig({ ...process.env, PEC_PROVIDER_DATA_DIR: dataDir, ...env });
  const redis: Redis = connectRedis(config);
  const local = new LocalMailboxes(config);
  const mailboxes = new ProviderMailboxes(local, redis, config);
  const provider = new PecProvider(mailboxes, redis, config);
  const port = await provider.listen(0);
  const created: string[] = [];
  const log = new TransmissionLog(redis, config.REDIS_PREFIX);
  return {
    port,
    dataDir,
    async mailbox(address, limits = PROFILES['standard']!) {
      const password = randomBytes(12).toString('base64url');
      await mailboxes.add(address, password, limits);
      created.push(address);
      return password;
    },
    async ordinaryMailbox(address) {
      const password = randomBytes(12).toString('base64url');
      await local.ensure(address, password);
      created.push(address);
      return password;
    },
    async send(user, mail) {
      const transport = createTransport({
        host: '127.0.0.1',
        port,
        secure: false,
        ignoreTLS: true,
        auth: { user: user.address, pass: user.password },
      });
      try {
        return (await transport.sendMail({ from: user.address, ...mail })).response;
      } finally {
        transport.close();
      }
    },
    log: (sender) => log.entries(sender),
    async close() {
      await provider.close();
      for (const address of created) await local.remove(address);
      await redis.quit();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Every message of a mailbox's INBOX, raw. */
export async function inbox(address: string, password: string): Promise<Buffer[]> {
  const client = imapClient(address, password);
  await client.connect();
  try {
    const lock = await client.getMailboxLock('INBOX');
    try {
      const mailbox = client.mailbox;
      if (!mailbox || mailbox.exists === 0) return [];
      const messages: Buffer[] = [];
      for await (const message of client.fetch('1:*', { source: true })) if (message.source) messages.push(message.source);
      return messages;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

/** Polls the INBOX until `count` messages pass `accept` (10 s by default), then returns them. */
export async function waitForMessages(
  address: string,
  password: string,
  accept: (raw: Buffer) => boolean | Promise<boolean>,
  count = 1,
  timeoutMs = 15_000,
): Promise<Buffer[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found: Buffer[] = [];
    for (const raw of await inbox(address, password)) if (await accept(raw)) found.push(raw);
    if (found.length >= count) return found;
    if (Date.now() > deadline) throw new Error(`${address}: ${found.length} of ${count} expected messages after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * A mailbox of the local provider added to pecflow through the API (preset `local`, SMTP on the
 * provider's port), seen by one office; `limits` overrides its profile's. Returns the mailbox id.
 */
export async function addOfficeMailbox(
  admin: ApiClient,
  provider: PecProviderHarness,
  box: { address: string; password: string },
  office: string,
  limits?: Record<string, number>,
): Promise<string> {
  const offices = (await admin.get('/api/v1/admin/offices')).body as { offices: { id: string; path: string }[] };
  const created = await admin
    .post('/api/v1/mailboxes', {
      address: box.address,
      preset: 'local',
      password: box.password,
      smtp: { port: provider.port },
      ...(limits ? { limits } : {}),
      officeIds: [offices.offices.find((o) => o.path === office)!.id],
    })
    .expect(201);
  return (created.body as { id: string }).id;
}
