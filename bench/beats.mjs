// Beats meter benchmark (docs/decisions/0022-beats-ledger.md, 0029-beats-throughput.md): debits per second under concurrency.
//  1. the debit statement alone (`SELECT * FROM beats_debit(…)`, one transaction each) from
//     BENCH_CONCURRENCY connections against ONE workspace — the contended case, since a workspace's
//     movements take turns on its account row — then against BENCH_TENANTS workspaces at once;
//  2. debits as the application makes them, BeatsLedger.debit from the built application (dist/),
//     BENCH_CONCURRENCY at a time in one process, one workspace then BENCH_TENANTS (group commit, 0029);
//  3. metered plug calls through PlugInvocation (reserve, handle, debit, and an activity-log entry for
//     each ledger entry), against one workspace.
// Each line gives the rate and the CPU per operation of this process (pecflow) and of the PostgreSQL
// backends of the benchmark's database (/proc), which on a shared machine say more than the wall time.
// Every run ends by checking the books: debits charged = beats gone from the packs, no pack below zero.
// A fresh database of its own, dropped at the end. Needs `npm run build` first and PostgreSQL.
// Usage: node bench/beats.mjs (npm run bench:beats); BENCH_CONCURRENCY (default 16), BENCH_DEBITS
// (default 4000), BENCH_TENANTS (default 4), BENCH_CALLS (default 1000).
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { adminQuery, cpuMs, requireBuild, SERVER_URL } from './support.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'dist/cli/main.js');
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const DEBITS = Number(process.env.BENCH_DEBITS ?? 4000);
const TENANTS = Number(process.env.BENCH_TENANTS ?? 4);
const CALLS = Number(process.env.BENCH_CALLS ?? 1000);

requireBuild();

const database = `bench_beats_${Date.now().toString(36)}`;
const dbUrl = new URL(SERVER_URL);
dbUrl.pathname = `/${database}`;
const env = { ...process.env, DATABASE_URL: dbUrl.toString(), REDIS_PREFIX: `pecflow-${database}`, LOG_LEVEL: 'warn' };

async function tenant(pool, slug, beats, prices = {}) {
  const { rows } = await pool.query(
    `INSERT INTO tenants (slug, name, theme, default_locale, beat_prices) VALUES ($1, $1, 'civico', 'it', $2) RETURNING id`,
    [slug, JSON.stringify(prices)],
  );
  const id = rows[0].id;
  await pool.query(`SELECT * FROM beats_add_pack($1, 'bench', $2, now(), now() + interval '1 year', NULL, NULL)`, [id, beats]);
  return id;
}

/** Runs `count` jobs with `concurrency` in flight; answers elapsed ms. */
async function run(count, concurrency, job) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await job(next++);
    }),
  );
  return performance.now() - started;
}

/** CPU ms of this process and of the PostgreSQL backends serving the benchmark's database. */
async function cpuNow(pool) {
  const { rows } = await pool.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`);
  const postgres = new Map();
  for (const { pid } of rows) {
    try {
      postgres.set(pid, cpuMs(pid));
    } catch {
      // A backend that ended between the query and the read.
    }
  }
  const own = process.cpuUsage();
  return { pecflow: (own.user + own.system) / 1000, postgres };
}

/** Runs `count` jobs like `run`, and prints the rate and the CPU per operation. */
async function measure(pool, label, count, concurrency, job, unit = 'debits') {
  const before = await cpuNow(pool);
  const ms = await run(count, concurrency, job);
  const after = await cpuNow(pool);
  // Backends that connected during the run count from 0; the pools keep theirs, so none is lost.
  const pecflow = (after.pecflow - before.pecflow) / count;
  let postgres = 0;
  for (const [pid, ms] of after.postgres) postgres += ms - (before.postgres.get(pid) ?? 0);
  postgres /= count;
  print(
    `${label}: ${count} ${unit} in ${(ms / 1000).toFixed(2)} s = ${Math.round(count / (ms / 1000))} ${unit}/s; ` +
      `CPU per op: pecflow ${pecflow.toFixed(3)} ms, PostgreSQL ${postgres.toFixed(3)} ms`,
  );
}

/** The books of a workspace: what the debits charged equals what the packs lost. */
async function checkBooks(pool, tenantId, expectedDebits) {
  const { rows } = await pool.query(
    `SELECT (SELECT count(*) FROM beat_ledger WHERE tenant_id = $1 AND kind = 'debit')::int AS debits,
            (SELECT coalesce(sum(beats), 0) FROM beat_ledger WHERE tenant_id = $1 AND kind = 'debit')::int AS charged,
            (SELECT sum(beats - remaining) FROM beat_packs WHERE tenant_id = $1)::int AS consumed,
            (SELECT min(remaining) FROM beat_packs WHERE tenant_id = $1)::int AS lowest`,
    [tenantId],
  );
  const books = rows[0];
  if (books.debits !== expectedDebits || books.charged !== books.consumed || books.lowest < 0)
    throw new Error(`the books do not balance: ${JSON.stringify(books)} (expected ${expectedDebits} debits)`);
}

const print = (line) => process.stdout.write(`${line}\n`);

const debit = (pool, tenantId, key) =>
  pool.query(`SELECT * FROM beats_debit($1, $2, 'pec.send', 1, 1, NULL, NULL, NULL, NULL, false, NULL)`, [tenantId, key]);

await adminQuery(`CREATE DATABASE ${database}`);
const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: CONCURRENCY + 2, idleTimeoutMillis: 0 });
try {
  const migrate = spawnSync(process.execPath, [CLI, 'db', 'migrate'], { env, encoding: 'utf8' });
  if (migrate.status !== 0) throw new Error(`db migrate failed:\n${migrate.stdout}${migrate.stderr}`);
  const { rows: settings } = await pool.query(`SELECT current_setting('synchronous_commit') AS sc, version() AS v`);
  print(`PostgreSQL: ${settings[0].v.split(',')[0]}, synchronous_commit=${settings[0].sc}; ${CONCURRENCY} connections`);

  // This machine's PostgreSQL runs with autovacuum off (conf.d/90-ci.conf); a production server analyzes
  // a busy ledger within its first minute. A ledger never analyzed has no statistics, and then the
  // planner checks a debit's idempotency key through the usage index, reading every earlier debit of
  // the workspace (0029). So the ledger first gets a history and statistics, as in production.
  const history = await tenant(pool, 'bench-history', DEBITS);
  await run(DEBITS, 4, (n) => debit(pool, history, `w-${n}`));
  await pool.query('VACUUM ANALYZE');

  // 1a. One workspace, every connection debiting it: each debit is its own transaction and commit.
  const one = await tenant(pool, 'bench-one', DEBITS);
  await measure(pool, 'debit statement, 1 workspace', DEBITS, CONCURRENCY, (n) => debit(pool, one, `d-${n}`));
  await checkBooks(pool, one, DEBITS);

  // 1b. Asking beyond the balance: the refusals are as cheap, and not one debit too many passes.
  const short = await tenant(pool, 'bench-short', DEBITS / 2);
  await measure(pool, 'debit statement, half refused', DEBITS, CONCURRENCY, (n) => debit(pool, short, `s-${n}`), 'calls');
  await checkBooks(pool, short, DEBITS / 2);

  // 1c. Several workspaces at once: they never wait for each other.
  const many = [];
  for (let n = 0; n < TENANTS; n += 1) many.push(await tenant(pool, `bench-many-${n}`, DEBITS));
  await measure(pool, `debit statement, ${TENANTS} workspaces`, DEBITS, CONCURRENCY, (n) => debit(pool, many[n % TENANTS], `m-${n}`));
  for (const id of many) await checkBooks(pool, id, DEBITS / TENANTS);

  // 2 and 3: the application.
  process.env.DATABASE_URL = env.DATABASE_URL;
  process.env.REDIS_PREFIX = env.REDIS_PREFIX;
  process.env.LOG_LEVEL = 'warn';
  const { NestFactory } = await import('@nestjs/core');
  const { CoreModule } = await import('../dist/app/core.module.js');
  const { PlugInvocation } = await import('../dist/plugs/plug-invocation.js');
  const { BeatsLedger } = await import('../dist/beats/beats-ledger.js');
  const { TenantContext } = await import('../dist/db/tenant-context.js');
  const app = await NestFactory.createApplicationContext(CoreModule, { logger: ['error'] });
  try {
    await app.init();
    // 2. BeatsLedger.debit, as the meter calls it, from CONCURRENCY callers of this one process.
    const ledger = app.get(BeatsLedger);
    const ledgerDebit = (tenantId, key) =>
      TenantContext.run({ tenantId, slug: 'bench' }, () => ledger.debit(key, 1, { plug: 'pec.send', units: 1 }));
    const appOne = await tenant(pool, 'bench-app-one', DEBITS);
    await measure(pool, 'BeatsLedger.debit, 1 workspace', DEBITS, CONCURRENCY, (n) => ledgerDebit(appOne, `a-${n}`));
    await checkBooks(pool, appOne, DEBITS);
    const appShort = await tenant(pool, 'bench-app-short', DEBITS / 2);
    await measure(pool, 'BeatsLedger.debit, half refused', DEBITS, CONCURRENCY, (n) => ledgerDebit(appShort, `h-${n}`), 'calls');
    await checkBooks(pool, appShort, DEBITS / 2);
    const appMany = [];
    for (let n = 0; n < TENANTS; n += 1) appMany.push(await tenant(pool, `bench-app-many-${n}`, DEBITS));
    await measure(pool, `BeatsLedger.debit, ${TENANTS} workspaces`, DEBITS, CONCURRENCY, (n) =>
      ledgerDebit(appMany[n % TENANTS], `b-${n}`),
    );
    for (const id of appMany) await checkBooks(pool, id, DEBITS / TENANTS);

    // 3. Metered plug calls through the application's one invocation service.
    const plugs = app.get(PlugInvocation);
    const metered = await tenant(pool, 'bench-metered', CALLS, { 'set-variables': 1 });
    const scope = { tenantId: metered, slug: 'bench-metered' };
    const context = (key) => ({ tenantId: metered, idempotencyKey: key, instanceId: null, executionId: null, principal: null });
    await measure(
      pool,
      'metered plug call (reserve + debit + activity log), 1 workspace',
      CALLS,
      CONCURRENCY,
      (n) => TenantContext.run(scope, () => plugs.invoke('set-variables', { n }, context(`${randomUUID()}-${n}`))),
      'calls',
    );
    await checkBooks(pool, metered, CALLS);
  } finally {
    await app.close();
  }
} finally {
  await pool.end();
  await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
}
