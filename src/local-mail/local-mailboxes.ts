import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Stats } from 'node:fs';
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';

/** Dovecot's salted SHA-512 scheme: base64(sha512(password + salt) + salt). */
const SCHEME = '{SSHA512}';
const SALT_BYTES = 16;
const DIGEST_BYTES = 64;
/** A new users file is private to its owner and the dovecot group (Dovecot's auth process reads it). */
const NEW_FILE_MODE = 0o640;

/**
 * Addresses we are willing to write into the passwd-file: ':' separates its fields, a line starting
 * with '#' is a comment, and whitespace or control characters would corrupt the line.
 */
const ADDRESS = /^[a-z0-9!$%&'*+/=?^_`{|}~.-]+@[a-z0-9-]+(\.[a-z0-9-]+)*$/;

/**
 * Writers of one users file queue up here. Module level, not per instance: the Nest provider and a
 * test's own `new LocalMailboxes()` in the same process must not overwrite each other's lines.
 */
const writeQueues = new Map<string, Promise<unknown>>();

/**
 * The mailboxes of pecflow's own Dovecot instance, kept in the passwd-file `${DOVECOT_DIR}/users`
 * that Dovecot reads (see scripts/dovecot/dovecot.conf). One line per mailbox:
 * `user@domain:{SSHA512}hash::::::`. Lines this class did not write are kept as they are.
 */
@Injectable()
export class LocalMailboxes {
  private readonly logger = new Logger(LocalMailboxes.name);
  private readonly usersFile: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.usersFile = join(config.DOVECOT_DIR, 'users');
  }

  /**
   * Creates the mailbox or sets its password. Once this resolves Dovecot accepts the new
   * password and LMTP delivers to the address.
   */
  async ensure(address: string, password: string): Promise<void> {
    const user = normaliseAddress(address);
    if (user === undefined) throw new Error(`Not a mailbox address Dovecot can store: ${JSON.stringify(address)}`);
    if (password.length === 0) throw new Error(`Empty password for mailbox ${user}`);

    const changed = await serialised(this.usersFile, async () => {
      const current = await this.read();
      const index = current.lines.findIndex((line) => userOf(line) === user);
      const existing = index >= 0 ? current.lines[index] : undefined;
      if (existing !== undefined && passwordMatches(existing, password)) return false;
      const entry = `${user}:${hashPassword(password)}::::::`;
      const lines = [...current.lines];
      if (index >= 0) lines[index] = entry;
      else lines.push(entry);
      await this.replace(lines, current.stats);
      return true;
    });
    if (changed) await untilDovecotRereads();
  }

  /** Deletes the mailbox's line (its mail stays on disk). Resolves once Dovecot refuses the login. */
  async remove(address: string): Promise<void> {
    const user = normaliseAddress(address);
    if (user === undefined) return;
    const changed = await serialised(this.usersFile, async () => {
      const current = await this.read();
      const lines = current.lines.filter((line) => userOf(line) !== user);
      if (lines.length === current.lines.length) return false;
      await this.replace(lines, current.stats);
      return true;
    });
    if (changed) await untilDovecotRereads();
  }

  async exists(address: string): Promise<boolean> {
    const user = normaliseAddress(address);
    if (user === undefined) return false;
    const { lines } = await this.read();
    return lines.some((line) => userOf(line) === user);
  }

  /** True when the mailbox exists and `password` is its password (SMTP AUTH of the local PEC provider). */
  async verifyPassword(address: string, password: string): Promise<boolean> {
    const user = normaliseAddress(address);
    if (user === undefined) return false;
    const { lines } = await this.read();
    const line = lines.find((candidate) => userOf(candidate) === user);
    return line !== undefined && passwordMatches(line, password);
  }

  /** The domains that have at least one mailbox. */
  async domains(): Promise<Set<string>> {
    const { lines } = await this.read();
    const domains = new Set<string>();
    for (const line of lines) {
      const user = userOf(line);
      const at = user?.lastIndexOf('@') ?? -1;
      if (user !== undefined && at > 0) domains.add(user.slice(at + 1));
    }
    return domains;
  }

  private async read(): Promise<{ lines: string[]; stats?: Stats }> {
    let handle: FileHandle;
    try {
      handle = await open(this.usersFile, 'r');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return { lines: [] };
      throw error;
    }
    try {
      // One handle for both, so the stats describe the very version whose lines we return.
      const stats = await handle.stat();
      const lines = (await handle.readFile('utf8')).split('\n');
      if (lines.at(-1) === '') lines.pop();
      return { lines, stats };
    } finally {
      await handle.close();
    }
  }

  /** Temp file + rename: Dovecot never reads a half-written file, and a crash leaves the old one. */
  private async replace(lines: string[], previous: Stats | undefined): Promise<void> {
    const temp = `${this.usersFile}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const mode = previous ? previous.mode & 0o777 : NEW_FILE_MODE;
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(lines.map((line) => `${line}\n`).join(''));
      await handle.chmod(mode); // open() applied the umask
      if (previous && (previous.uid !== process.getuid?.() || previous.gid !== process.getgid?.())) {
        await handle.chown(previous.uid, previous.gid).catch((error: unknown) => {
          // Not root: the file becomes ours, and Dovecot can only read it if its group can.
          this.logger.warn(`Could not keep the owner of ${this.usersFile} (${String(error)}); check Dovecot can still read it`);
        });
      }
      // Dovecot notices a new version by its mtime (whole seconds) or size; an updated password has
      // the same size, so every version gets a later whole-second mtime than the one it replaces.
      const nowSeconds = Math.floor(Date.now() / 1000);
      const mtime = previous ? Math.max(nowSeconds, Math.floor(previous.mtimeMs / 1000) + 1) : nowSeconds;
      await handle.utimes(nowSeconds, mtime);
      // The users file is the only record of the mailboxes: make it durable before it replaces the old one.
      await handle.sync();
    } catch (error) {
      await handle.close();
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await handle.close();
    try {
      await rename(temp, this.usersFile);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }
}

/** Lower-cased address, or undefined when it cannot be a line of the users file. */
export function normaliseAddress(address: string): string | undefined {
  const user = address.trim().toLowerCase();
  return ADDRESS.test(user) ? user : undefined;
}

export function hashPassword(password: string, salt: Buffer = randomBytes(SALT_BYTES)): string {
  const digest = createHash('sha512').update(password, 'utf8').update(salt).digest();
  return SCHEME + Buffer.concat([digest, salt]).toString('base64');
}

/** True when the line's {SSHA512} hash is of this password (then there is nothing to write). */
function passwordMatches(line: string, password: string): boolean {
  const hash = line.split(':')[1] ?? '';
  if (!hash.startsWith(SCHEME)) return false;
  const decoded = Buffer.from(hash.slice(SCHEME.length), 'base64');
  if (decoded.length <= DIGEST_BYTES) return false;
  const expected = Buffer.from(hashPassword(password, decoded.subarray(DIGEST_BYTES)).slice(SCHEME.length), 'base64');
  return timingSafeEqual(decoded, expected);
}

function userOf(line: string): string | undefined {
  if (line.startsWith('#')) return undefined;
  const colon = line.indexOf(':');
  return colon > 0 ? line.slice(0, colon) : undefined;
}

/**
 * Dovecot (db-passwd-file.c, passwd_file_sync) looks at the users file at most once per wall-clock
 * second, so a lookup later in the second of a write may still see the old file. From the next
 * second on every lookup sees it.
 */
async function untilDovecotRereads(): Promise<void> {
  await sleep(1000 - (Date.now() % 1000) + 20);
}

/** A lock older than this was left by a process that died mid-write. */
const STALE_LOCK_MS = 30_000;
const LOCK_WAIT_MS = 15_000;

/**
 * `${file}.lock`, created exclusively, makes writers in other processes (the CLI seed, the web role,
 * parallel test workers) wait their turn: without it two read-modify-write cycles could lose a line.
 */
async function withFileLock<T>(file: string, task: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await (await open(lock, 'wx')).close();
      break;
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error;
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > STALE_LOCK_MS) await unlink(lock).catch(() => undefined);
      else if (Date.now() > deadline)
        throw new Error(`${lock} has been held for ${LOCK_WAIT_MS} ms; remove it if no pecflow process is writing mailboxes`, {
          cause: error,
        });
      else await sleep(20);
    }
  }
  try {
    return await task();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}

function serialised<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = writeQueues.get(key) ?? Promise.resolve();
  const run = previous.then(() => withFileLock(key, task));
  const tail = run.catch(() => undefined);
  writeQueues.set(key, tail);
  void tail.then(() => {
    if (writeQueues.get(key) === tail) writeQueues.delete(key);
  });
  return run;
}

// Structural, not `instanceof Error`: under Jest's VM modules Node's errors come from another realm.
function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as NodeJS.ErrnoException).code === code;
}
