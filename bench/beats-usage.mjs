// Beats usage report benchmark: the aggregate behind GET /api/v1/beats/usage on a large ledger.
// Creates a database of its own, migrates it (dist/cli), writes BENCH_ROWS ledger entries for the
// measured workspace over 400 days (debits, plus as many reservations and releases, which usage
// skips) and as many for a second workspace, then times each grouping over one month and one year
// and prints its plan (the partial index `beat_ledger_usage` must be used). Drops the database at the end.
// Needs `npm run build` first and PostgreSQL. Usage: npm run bench:beats-usage; BENCH_ROWS (default 300000).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';

const ROOT = path.resolve(import.meta.dirname, '..');
const ROWS = Number(process.env.BENCH_ROWS ?? 300_000);
const base = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/pecflow');
const database = `pecflow_bench_usage_${process.pid}`;
const url = new URL(base);
url.pathname = `/${database}`;

const print = (line) => process.stdout.write(`${line}\n`);

const GROUPS = {
  plug: 'l.plug',
  day: `to_char(l.created_at AT TIME ZONE 'Europe/Rome', 'YYYY-MM-DD')`,
  month: `to_char(l.created_at AT TIME ZONE 'Europe/Rome', 'YYYY-MM')`,
  user: 'l.user_id::text',
  campaign: 'l.campaign_id::text',
};

// The statement BeatsUsage builds (src/beats/beats-usage.ts), for an admin (reach: all).
const usageSql = (key) => `
  SELECT ${key} AS key, sum(l.beats) AS beats, sum(l.units) AS units, count(*) AS calls, sum(l.overdraft) AS overdraft
    FROM beat_ledger l
   WHERE l.tenant_id = $1 AND l.kind = 'debit'
     AND l.created_at >= CAST($2 AS date)::timestamp AT TIME ZONE 'Europe/Rome'
     AND l.created_at < (CAST($3 AS date) + 1)::timestamp AT TIME ZONE 'Europe/Rome'
   GROUP BY ${key}`;

const maintenance = new URL(base);
maintenance.pathname = '/postgres';
const admin = new pg.Client({ connectionString: maintenance.toString() });
await admin.connect();
await admin.query(`CREATE DATABASE ${database}`);
try {
  const migrated = spawnSync('node', [path.join(ROOT, 'dist/cli/main.js'), 'db', 'migrate'], {
    env: { ...process.env, DATABASE_URL: url.toString() },
    encoding: 'utf8',
  });
  if (migrated.status !== 0) throw new Error(`migration failed: ${migrated.stderr}`);
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  try {
    const tenants = [];
    for (const slug of ['bench-a', 'bench-b']) {
      const { rows } = await db.query(
        `INSERT INTO tenants (slug, name, theme, default_locale, domains, solutions, enabled)
         VALUES ($1, $1, 'civico', 'it', '{}', '{}', true) RETURNING id`,
        [slug],
      );
      tenants.push(rows[0].id);
    }
    const started = Date.now();
    for (const tenant of tenants) {
      // Movements written directly (the database functions would take hours for a million): the
      // shape usage reads is the same. A third of the entries are debits.
      const { rows: held } = await db.query(
        `INSERT INTO beat_reservations (tenant_id, idempotency_key, plug, beats, held, status)
         VALUES ($1, 'bench', 'pec.send', 1, 0, 'closed') RETURNING id`,
        [tenant],
      );
      await db.query(
        `INSERT INTO beat_ledger (tenant_id, kind, plug, units, beats, user_id, campaign_id, idempotency_key, reservation_id, created_at)
         SELECT $1, k.kind, (ARRAY['pec.send','pec.receive','notify'])[1 + i % 3], 1 + i % 5, 1 + i % 5,
                ('00000000-0000-0000-0000-' || lpad((i % 50)::text, 12, '0'))::uuid,
                CASE WHEN i % 4 = 0 THEN ('00000000-0000-0000-0001-' || lpad((i % 20)::text, 12, '0'))::uuid END,
                'b' || i, CASE WHEN k.kind <> 'debit' THEN $3::uuid END,
                now() - (i % 400) * interval '1 day' - (i % 86400) * interval '1 second'
           FROM generate_series(1, $2::int / 3) AS i
          CROSS JOIN (VALUES ('debit'), ('reservation'), ('release')) AS k(kind)`,
        [tenant, ROWS, held[0].id],
      );
    }
    // As autovacuum would leave it: statistics, and a visibility map for index-only scans.
    await db.query('VACUUM ANALYZE beat_ledger');
    print(`seeded ${ROWS} entries per workspace (${(ROWS / 3) | 0} debits) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const today = new Date();
    const day = (offset) => new Date(today.getTime() - offset * 86_400_000).toISOString().slice(0, 10);
    for (const [label, from] of [
      ['month', day(30)],
      ['year', day(365)],
    ]) {
      for (const [group, key] of Object.entries(GROUPS)) {
        const params = [tenants[0], from, day(0)];
        await db.query(usageSql(key), params); // warm
        const runs = 5;
        const t0 = process.hrtime.bigint();
        for (let run = 0; run < runs; run += 1) await db.query(usageSql(key), params);
        const ms = Number(process.hrtime.bigint() - t0) / 1e6 / runs;
        print(`${label.padEnd(5)} by ${group.padEnd(8)} ${ms.toFixed(1).padStart(8)} ms`);
      }
      const plan = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${usageSql(GROUPS.plug)}`, [tenants[0], from, day(0)]);
      print(plan.rows.map((row) => `    ${row['QUERY PLAN']}`).join('\n'));
    }
  } finally {
    await db.end();
  }
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
}
