// What every benchmark needs: a database of its own (migrated, tenants synced, demo seed), pecflow roles spawned
// from dist/ on free ports, and the OS accounting of a process (CPU, RSS). Needs `npm run build` first.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';

export const ROOT = path.resolve(import.meta.dirname, '..');
const MAIN = path.join(ROOT, 'dist/main.js');
const CLI = path.join(ROOT, 'dist/cli/main.js');
const TICK_MS = 1000 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function requireBuild() {
  if (!existsSync(MAIN) || !existsSync(CLI)) {
    console.error('dist/ is missing: run `npm run build` first');
    process.exit(1);
  }
}

/** The PostgreSQL server's URL (DATABASE_URL's, else the local one): benchmarks create their databases there. */
export const SERVER_URL = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/pecflow');

/** One statement on the `postgres` database (CREATE / DROP DATABASE). */
export async function adminQuery(sql) {
  const url = new URL(SERVER_URL);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh database (and Redis prefix) for one run; `seed()` migrates it and loads the demo workspace, `drop()` removes it. */
export function benchDatabase(prefix = 'bench') {
  const database = `${prefix}_${Date.now().toString(36)}`;
  const dbUrl = new URL(SERVER_URL);
  dbUrl.pathname = `/${database}`;
  const env = {
    ...process.env,
    DATABASE_URL: dbUrl.toString(),
    REDIS_PREFIX: `pecflow-${database}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    HOST: '127.0.0.1',
  };
  const cli = (...args) => {
    const run = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`pecflow ${args.join(' ')} failed (${run.status}):\n${run.stdout}${run.stderr}`);
  };
  return {
    database,
    env,
    client: () => new pg.Client({ connectionString: dbUrl.toString() }),
    async seed() {
      await adminQuery(`CREATE DATABASE ${database}`);
      cli('db', 'migrate');
      cli('tenants', 'sync');
      cli('seed', path.join(ROOT, 'scripts/demo-seed.yaml'));
    },
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
  };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Spawns `node dist/main.js <role>`; for a role that serves HTTP, resolves once /health/ready answers.
 * Returns the child and its base URL (null for the worker).
 */
export async function startPecflow(env, role, nodeArgs = [], readySeconds = 60) {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, MAIN, role], {
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (role === 'worker') return { child, base: null };
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i += 1) {
    if (child.exitCode !== null) throw new Error(`pecflow ${role} exited with ${child.exitCode}`);
    if (
      await fetch(`${base}/health/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i > readySeconds * 10) throw new Error(`pecflow ${role} not ready after ${readySeconds} s`);
    await sleep(100);
  }
  return { child, base };
}

export async function stopPecflow(child) {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

/** utime + stime of one process, in ms. */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

export function rssKiB(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** utime + stime of pecflow's PostgreSQL backends (its pool's connections to `db`'s database), in ms by pid. */
export async function backendCpuMs(db) {
  const { rows } = await db.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'pecflow'`);
  const byPid = new Map();
  for (const { pid } of rows) {
    try {
      byPid.set(pid, cpuMs(pid));
    } catch {
      // A backend that ended between the two reads (the pool closed it) is left out.
    }
  }
  return byPid;
}

/** CPU the backends present at both reads spent between them, in ms. */
export function backendCpuSpent(before, after) {
  let spent = 0;
  for (const [pid, ms] of after) if (before.has(pid)) spent += ms - before.get(pid);
  return spent;
}
