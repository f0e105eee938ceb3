// Plain JavaScript, like global-setup.mjs that uses it.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Where each test run keeps its Dovecot (config, users file, mail); one folder per run. */
const RUNS_DIR = process.env.PECFLOW_TEST_DOVECOT_ROOT ?? '/var/lib/pecflow/test-runs';
const OWNER_FILE = 'owner.pid';

/** Two ports nobody listens on now (the kernel's choice), for this run's IMAP and LMTP. */
async function freePorts(count) {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => server.address().port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops the Dovecot whose files are in `dir` (its master takes its children along) and removes the folder. */
async function stopDovecot(dir) {
  let master;
  try {
    master = Number(readFileSync(path.join(dir, 'run', 'master.pid'), 'utf8').trim());
  } catch {
    master = 0;
  }
  if (master > 0 && alive(master)) {
    process.kill(master, 'SIGTERM');
    for (let waited = 0; alive(master) && waited < 10_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    if (alive(master)) process.kill(master, 'SIGKILL');
  }
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Stops and removes the Dovecots of earlier runs whose Jest process is gone (a run killed before its
 * teardown), so they never pile up.
 */
async function reapAbandonedRuns() {
  let entries;
  try {
    entries = readdirSync(RUNS_DIR);
  } catch {
    return;
  }
  for (const entry of entries) {
    const dir = path.join(RUNS_DIR, entry);
    let owner;
    try {
      owner = Number(readFileSync(path.join(dir, OWNER_FILE), 'utf8').trim());
    } catch {
      owner = 0;
    }
    if (!(owner > 0 && alive(owner))) await stopDovecot(dir);
  }
}

/**
 * Starts a Dovecot of this run's own (scripts/services.sh renders and starts it) on free ports, with an
 * empty users file and mail store, and points DOVECOT_* at it. Like the run's own database, it keeps
 * the tests apart from the demo's mailboxes and from what earlier runs left behind: a worker that
 * reads the demo tenant's mailboxes finds only what this run delivered.
 */
export async function startRunDovecot(runId) {
  await reapAbandonedRuns();
  const dir = path.join(RUNS_DIR, `dovecot-${runId}`);
  const [imap, lmtp] = await freePorts(2);
  const env = { ...process.env, DOVECOT_DIR: dir, DOVECOT_IMAP_PORT: String(imap), DOVECOT_LMTP_PORT: String(lmtp) };
  try {
    execFileSync('bash', [path.join(ROOT, 'scripts/services.sh')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (error) {
    await stopDovecot(dir);
    throw new Error(`could not start this test run’s Dovecot in ${dir} (scripts/services.sh failed): ${error.message}`, { cause: error });
  }
  writeFileSync(path.join(dir, OWNER_FILE), `${process.pid}\n`);
  Object.assign(process.env, { DOVECOT_DIR: dir, DOVECOT_IMAP_PORT: String(imap), DOVECOT_LMTP_PORT: String(lmtp) });
}

/** Stops this run's Dovecot and removes its mail. */
export async function stopRunDovecot() {
  const dir = process.env.DOVECOT_DIR;
  if (!dir?.startsWith(`${RUNS_DIR}/`)) throw new Error(`refusing to remove ${dir}: not a test run's Dovecot`);
  await stopDovecot(dir);
}
