// What the PEC benchmarks share: a database of their own (created, migrated, seeded with the demo
// workspace, dropped at the end), the built server on a free port, HTTP calls with the workspace's
// Host header over keep-alive sockets, and percentiles. Needs `npm run build`, PostgreSQL and Redis.
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import pg from 'pg';
import { adminQuery, percentile, requireBuild, ROOT, SERVER_URL, sleep, startPecflow } from '../support.mjs';

export { percentile, ROOT, sleep };

const CLI = path.join(ROOT, 'dist/cli/main.js');
const HOST = 'demo.localhost';
export const PASSWORD = 'pecflow-demo';

requireBuild();

/**
 * A fresh database named `<prefix>_<time>`, migrated and seeded with the demo workspace; or, with
 * BENCH_DATABASE, one a previous run kept (BENCH_KEEP_DB=1), used as it is (`reused` true).
 */
export async function benchDatabase(prefix) {
  const reused = Boolean(process.env.BENCH_DATABASE);
  const name = process.env.BENCH_DATABASE ?? `${prefix}_${Date.now().toString(36)}`;
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  const env = {
    ...process.env,
    DATABASE_URL: url.toString(),
    REDIS_PREFIX: `pecflow-${name}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    HOST: '127.0.0.1',
  };
  if (!reused) {
    await adminQuery(`CREATE DATABASE ${name}`);
    const cli = (...args) => {
      const run = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`pecflow ${args.join(' ')} failed (${run.status}):\n${run.stdout}${run.stderr}`);
    };
    cli('db', 'migrate');
    cli('tenants', 'sync');
    cli('seed', path.join(ROOT, 'scripts/demo-seed.yaml'));
  }
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  return {
    name,
    reused,
    url: url.toString(),
    env,
    db,
    /** Ends the connection; drops the database unless it was reused or is to be kept (BENCH_KEEP_DB=1). */
    async drop() {
      await db.end();
      if (reused) return;
      if (process.env.BENCH_KEEP_DB) {
        console.log(`database kept: ${name}`);
        return;
      }
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** `node dist/main.js <role>` on a free port, once ready; `call(method, path, token, body)` talks to it, `pid` is its process. */
export async function startServer(env, role, concurrency) {
  // Up to 120 s to be ready: a reused database of a million messages takes a while to open.
  const { child, base } = await startPecflow(env, role, [], 120);
  // fetch() will not send a Host header of our choosing, so plain node:http over keep-alive sockets.
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const call = (method, pathname, token, body) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers = {
        Host: HOST,
        ...(payload ? { 'Content-Type': 'application/json' } : {}),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      };
      const req = http.request(`${base}${pathname}`, { method, agent, headers }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode >= 300) reject(new Error(`${method} ${pathname}: ${res.statusCode} ${text}`));
          else resolve(text ? JSON.parse(text) : null);
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  return {
    base,
    pid: child.pid,
    call,
    signIn: async (email) => (await call('POST', '/api/v1/auth/token', undefined, { email, password: PASSWORD })).accessToken,
    stop() {
      agent.destroy();
      child.kill('SIGTERM');
    },
  };
}

/** Runs `count` calls of `work(i)` with `concurrency` in flight. */
export async function pool(count, concurrency, work) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await work(next++);
    }),
  );
}
