import { jest } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTransport } from 'nodemailer';
import { loadConfig } from '../../src/config/load-config.js';
import { LocalMailboxes } from '../../src/local-mail/local-mailboxes.js';
import { parsePec } from '../../src/pec/pec-parser.js';
import { imapClient } from '../support/local-mail.js';
import { inbox, waitForMessages } from '../support/pec-provider.js';

/**
 * The built `pecflow pec-provider` as a process: mailboxes from a tenant file and from the CLI,
 * and a kill -9 while an accepted message waits for delivery.
 */
jest.setTimeout(90_000);

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli/main.js');
const tag = randomBytes(4).toString('hex');
const sender = { address: `ufficio-${tag}@pec.demo.test`, password: `pw-${tag}-s` };
const recipient = { address: `protocollo-${tag}@pec.acme.test`, password: `pw-${tag}-r` };

let dir: string;
let env: NodeJS.ProcessEnv;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` (npm test does) before these tests');
  dir = await mkdtemp(path.join(tmpdir(), 'pecflow-pec-process-'));
  await writeFile(
    path.join(dir, 'ente.yaml'),
    [
      'name: Ente di prova',
      'theme: civico',
      'pec:',
      '  mailboxes:',
      `    - { address: ${sender.address}, password: ${sender.password} }`,
      `    - { address: ${recipient.address}, password: ${recipient.password}, profile: massivo }`,
      '',
    ].join('\n'),
  );
  env = {
    ...process.env,
    TENANTS_DIR: dir,
    PEC_PROVIDER_DATA_DIR: path.join(dir, 'data'),
    PEC_PROVIDER_SMTP_PORT: '0',
    PEC_PROVIDER_LATENCY_MS: '100',
    // The busta waits 4 s: long enough to kill the provider while it is queued.
    PEC_PROVIDER_FAULTS: JSON.stringify([{ match: recipient.address, action: 'delay', delayMs: 4000 }]),
    LOG_LEVEL: 'info',
  };
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  const mailboxes = new LocalMailboxes(loadConfig());
  for (const address of [sender.address, recipient.address, `cli-${tag}@pec.example.test`]) await mailboxes.remove(address);
  if (dir) await rm(dir, { recursive: true, force: true });
});

function startProvider(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [CLI, 'pec-provider'], { env, cwd: ROOT, stdio: 'pipe' });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`pec-provider not ready within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]) });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`pec-provider exited with ${code ?? signal}:\n${output}`));
    });
  });
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

const about = (id: string, kind: string) => async (raw: Buffer) => {
  const result = await parsePec(raw, { verifySignature: false });
  return result.kind === kind && result.referencesMessageId === id;
};

describe('pecflow pec-provider (built process)', () => {
  it('creates the tenant file mailboxes, and delivers exactly once a message accepted before a kill -9', async () => {
    const first = await startProvider();
    // The test CA and the domain keys are private to the provider.
    expect((await stat(path.join(dir, 'data', 'pec.demo.test.pem'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dir, 'data', 'ca.pem'))).mode & 0o777).toBe(0o600);

    const id = `${randomBytes(8).toString('hex')}@pec.demo.test`;
    const transport = createTransport({
      host: '127.0.0.1',
      port: first.port,
      secure: false,
      ignoreTLS: true,
      auth: { user: sender.address, pass: sender.password },
    });
    await transport.sendMail({
      from: sender.address,
      to: recipient.address,
      subject: 'Sopravvive al riavvio',
      text: 'x',
      messageId: `<${id}>`,
    });
    transport.close();
    await waitForMessages(sender.address, sender.password, about(id, 'accettazione'));

    await kill9(first.child);
    expect(await inbox(recipient.address, recipient.password)).toEqual([]);

    await startProvider();
    const [delivered] = await waitForMessages(sender.address, sender.password, about(id, 'avvenuta-consegna'));
    expect((await parsePec(delivered!)).signature).toBe('valid');
    const bustas = await waitForMessages(recipient.address, recipient.password, about(id, 'posta-certificata'));
    expect(bustas).toHaveLength(1);
    expect(await waitForMessages(sender.address, sender.password, about(id, 'avvenuta-consegna'))).toHaveLength(1);
  });

  it('pec-provider mailbox add creates a mailbox that logs in with the printed password', async () => {
    const address = `cli-${tag}@pec.example.test`;
    const run = spawnSync(process.execPath, [CLI, 'pec-provider', 'mailbox', 'add', address, '--profile', 'professionale'], {
      env,
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    const password = /password (\S+)/.exec(run.stdout)?.[1];
    expect(password).toBeDefined();
    const client = imapClient(address, password!);
    await client.connect();
    await client.logout();

    const refused = spawnSync(process.execPath, [CLI, 'pec-provider', 'mailbox', 'add', `x-${tag}@demo.test`], {
      env,
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/not on a PEC domain/);
  });
});
