import { jest } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/load-config.js';
import { LocalMailboxes, hashPassword, normaliseAddress } from './local-mailboxes.js';

// ensure() waits for the next wall-clock second (Dovecot's re-read granularity), so a test with a
// few sequential writes takes a few seconds.
jest.setTimeout(15_000);

/** Checks a {SSHA512} hash the way Dovecot does: sha512(password + salt) + salt, base64. */
function verifies(hash: string, password: string): boolean {
  const decoded = Buffer.from(hash.replace('{SSHA512}', ''), 'base64');
  const salt = decoded.subarray(64);
  const digest = createHash('sha512').update(password, 'utf8').update(salt).digest();
  return salt.length > 0 && digest.equals(decoded.subarray(0, 64));
}

describe('LocalMailboxes', () => {
  let dir: string;
  let usersFile: string;
  let mailboxes: LocalMailboxes;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pecflow-mailboxes-'));
    usersFile = join(dir, 'users');
    mailboxes = new LocalMailboxes(loadConfig({ DOVECOT_DIR: dir }));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const lines = async (): Promise<string[]> => (await readFile(usersFile, 'utf8')).split('\n').filter((line) => line !== '');

  it('creates the users file with one passwd-file line per mailbox, lower-cased', async () => {
    await mailboxes.ensure('Mario.Rossi@Demo.TEST', 'segreta');

    const [line, ...rest] = await lines();
    expect(rest).toEqual([]);
    expect(line).toMatch(/^mario\.rossi@demo\.test:\{SSHA512\}[A-Za-z0-9+/]+=*::::::$/);
    expect(verifies(line!.split(':')[1]!, 'segreta')).toBe(true);
    expect(verifies(line!.split(':')[1]!, 'sbagliata')).toBe(false);
    expect((await stat(usersFile)).mode & 0o777).toBe(0o640);
    expect(await readdir(dir)).toEqual(['users']); // no temp file left behind
  });

  it('resolves only once the wall-clock second of the write is over (Dovecot re-reads at most once a second)', async () => {
    await mailboxes.ensure('a@demo.test', 'x');
    const written = await stat(usersFile);
    expect(Math.floor(Date.now() / 1000)).toBeGreaterThan(Math.floor(written.ctimeMs / 1000));
  });

  it('changes the password of an existing mailbox and keeps every other line as it was', async () => {
    const foreign = ['# written by hand', 'other@acme.test:{PLAIN}pw::::::', ''];
    await writeFile(usersFile, foreign.join('\n'), { mode: 0o644 });
    await mailboxes.ensure('a@demo.test', 'first');
    const before = await lines();

    await mailboxes.ensure('A@demo.test', 'second');

    const after = await lines();
    expect(after).toHaveLength(3);
    expect(after.slice(0, 2)).toEqual(foreign.slice(0, 2));
    expect(after[2]).not.toEqual(before[2]);
    expect(verifies(after[2]!.split(':')[1]!, 'second')).toBe(true);
    expect((await stat(usersFile)).mode & 0o777).toBe(0o644); // an existing file keeps its mode
  });

  it('does not rewrite the file when the password is unchanged', async () => {
    await mailboxes.ensure('a@demo.test', 'same');
    const before = await stat(usersFile);

    await mailboxes.ensure('a@demo.test', 'same');

    const after = await stat(usersFile);
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
  });

  it('loses no line when many writers run at once, even through separate instances', async () => {
    const other = new LocalMailboxes(loadConfig({ DOVECOT_DIR: dir }));
    const addresses = Array.from({ length: 20 }, (_, i) => `user${i}@demo.test`);

    await Promise.all(addresses.map((address, i) => (i % 2 === 0 ? mailboxes : other).ensure(address, `pw${i}`)));

    const users = (await lines()).map((line) => line.split(':')[0]);
    expect(users.sort()).toEqual([...addresses].sort());
  });

  it('gives every version a later whole-second mtime, so Dovecot notices a same-size update', async () => {
    const startSecond = Math.floor(Date.now() / 1000);

    // Three versions of the same size, written within (about) the same second.
    await Promise.all(['one', 'two', 'six'].map((password) => mailboxes.ensure('a@demo.test', password)));

    expect(Math.floor((await stat(usersFile)).mtimeMs / 1000)).toBeGreaterThanOrEqual(startSecond + 2);
    expect(verifies((await lines())[0]!.split(':')[1]!, 'six')).toBe(true);
  });

  it('answers exists() case-insensitively and lists the domains', async () => {
    expect(await mailboxes.exists('a@demo.test')).toBe(false); // no users file yet
    expect(await mailboxes.domains()).toEqual(new Set());

    await Promise.all([
      mailboxes.ensure('a@demo.test', 'x'),
      mailboxes.ensure('b@demo.test', 'x'),
      mailboxes.ensure('c@pec.acme.test', 'x'),
    ]);

    expect(await mailboxes.exists('A@Demo.Test')).toBe(true);
    expect(await mailboxes.exists('z@demo.test')).toBe(false);
    expect(await mailboxes.exists('not an address')).toBe(false);
    expect(await mailboxes.domains()).toEqual(new Set(['demo.test', 'pec.acme.test']));
  });

  it('removes a mailbox and keeps the others', async () => {
    await Promise.all([mailboxes.ensure('a@demo.test', 'x'), mailboxes.ensure('b@demo.test', 'y')]);

    await mailboxes.remove('A@demo.test');
    await mailboxes.remove('never@demo.test');

    expect(await mailboxes.exists('a@demo.test')).toBe(false);
    expect((await lines()).map((line) => line.split(':')[0])).toEqual(['b@demo.test']);
  });

  it('refuses addresses that would break the passwd-file, and empty passwords', async () => {
    await expect(mailboxes.ensure('a:b@demo.test', 'x')).rejects.toThrow(/mailbox address/);
    await expect(mailboxes.ensure('a@demo.test\nevil@demo.test', 'x')).rejects.toThrow(/mailbox address/);
    await expect(mailboxes.ensure('#a@demo.test', 'x')).rejects.toThrow(/mailbox address/);
    await expect(mailboxes.ensure('a b@demo.test', 'x')).rejects.toThrow(/mailbox address/);
    await expect(mailboxes.ensure('a@demo.test', '')).rejects.toThrow(/Empty password/);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('hashPassword', () => {
  it('produces a salted {SSHA512} hash that Dovecot can verify', () => {
    const salt = Buffer.from('0123456789abcdef');
    const hash = hashPassword('pässword', salt);
    expect(hash).toBe(hashPassword('pässword', salt));
    expect(hash).not.toBe(hashPassword('pässword'));
    expect(verifies(hash, 'pässword')).toBe(true);
  });
});

describe('normaliseAddress', () => {
  it('lower-cases and trims', () => {
    expect(normaliseAddress(' Info@PEC.Demo.Test ')).toBe('info@pec.demo.test');
    expect(normaliseAddress('no-at-sign')).toBeUndefined();
  });
});
