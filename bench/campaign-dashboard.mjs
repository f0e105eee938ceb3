// Campaign dashboard benchmark (issue #7 item 7, decision 0027): what one open dashboard costs PostgreSQL.
// On a fresh database, one campaign of N recipients (default 100,000; states and timestamps spread as after an
// hour of sending) is written with SQL, then the statements the dashboard runs are repeated: the counts per
// state (the SSE stream runs it every second per open dashboard), the three per-minute curve series, and a
// drill-down page deep in the failed rows. Prints, per statement, the PostgreSQL backend's CPU ms (from
// /proc, the machine's other load excluded; parallel query off so that all the work is in that one process) and the wall-time median and min–max.
// Usage: npm run build && node bench/campaign-dashboard.mjs   (BENCH_ROWS, BENCH_REPEAT).
import { benchDatabase, cpuMs, percentile, requireBuild } from './support.mjs';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 50);

requireBuild();
const bench = benchDatabase('bench_dashboard');
await bench.seed();
const client = bench.client();
await client.connect();
try {
  const [{ tenant_id: tenantId, id: mailboxId }] = (
    await client.query(`SELECT m.tenant_id, m.id FROM mailboxes m JOIN tenants t ON t.id = m.tenant_id WHERE t.slug = 'demo' LIMIT 1`)
  ).rows;
  const [{ id: campaignId }] = (
    await client.query(
      `INSERT INTO campaigns (tenant_id, name, mailbox_id, subject_template, text_template, address_column, beats_per_recipient, import_state)
       VALUES ($1, 'bench', $2, 'Avviso', 'Gentile', 'pec', 1, 'done') RETURNING id`,
      [tenantId, mailboxId],
    )
  ).rows;
  // An hour of sending: 70 % delivered, 10 % accepted, 5 % failed, 2 % timed out, 3 % warned, the rest queued.
  await client.query(
    `INSERT INTO campaign_recipients (tenant_id, campaign_id, row_number, address, variables, state, message_id,
       sent_at, accepted_at, delivered_at, failed_at, warned_at, error_code)
     SELECT $1, $2::uuid, g + 1, 'contribuente.' || g || '@pec.example.test', 'sealed', s.state, 'campaign.' || $2::text || '.' || (g + 1) || '@pec.demo.test',
       CASE WHEN s.state <> 'queued' THEN t END,
       CASE WHEN s.state IN ('accepted', 'delivered') THEN t + interval '2 seconds' END,
       CASE WHEN s.state = 'delivered' THEN t + interval '40 seconds' END,
       CASE WHEN s.state IN ('failed', 'failed-timeout') THEN t + interval '50 seconds' END,
       CASE WHEN s.state = 'warned' THEN t + interval '12 hours' END,
       CASE WHEN s.state = 'failed' THEN '5.1.1' WHEN s.state = 'failed-timeout' THEN '5.4.1' END
     FROM generate_series(1, $3::int) g,
       LATERAL (SELECT CASE WHEN g % 100 < 70 THEN 'delivered' WHEN g % 100 < 80 THEN 'accepted' WHEN g % 100 < 85 THEN 'failed'
         WHEN g % 100 < 87 THEN 'failed-timeout' WHEN g % 100 < 90 THEN 'warned' ELSE 'queued' END AS state) s,
       LATERAL (SELECT now() - interval '1 hour' + (g::float / $3::int) * interval '1 hour' AS t) ts`,
    [tenantId, campaignId, ROWS],
  );
  await client.query('ANALYZE campaign_recipients');
  // Parallel workers are other processes: without them all the work is in the backend whose CPU is read.
  await client.query('SET max_parallel_workers_per_gather = 0');
  const [{ pid }] = (await client.query('SELECT pg_backend_pid() AS pid')).rows;

  const curve = (column) =>
    `SELECT floor(extract(epoch from ${column}) / 60)::bigint AS minute, count(*)::int AS n FROM campaign_recipients
     WHERE tenant_id = $1 AND campaign_id = $2 AND ${column} IS NOT NULL GROUP BY minute`;
  const statements = {
    'counts per state (SSE, every second)': [
      `SELECT campaign_id, state, count(*)::int AS n FROM campaign_recipients WHERE tenant_id = $1 AND campaign_id = ANY($2::uuid[]) GROUP BY campaign_id, state`,
      [tenantId, [campaignId]],
    ],
    'curve: sent_at per minute': [curve('sent_at'), [tenantId, campaignId]],
    'curve: delivered_at per minute': [curve('delivered_at'), [tenantId, campaignId]],
    'curve: failed_at per minute': [curve('failed_at'), [tenantId, campaignId]],
    'drill-down: failed, page past row 90,000': [
      `SELECT * FROM campaign_recipients WHERE tenant_id = $1 AND campaign_id = $2 AND state IN ('failed', 'failed-timeout')
       AND row_number > $3 ORDER BY row_number LIMIT 51`,
      [tenantId, campaignId, Math.floor(ROWS * 0.9)],
    ],
  };
  console.log(`campaign of ${ROWS} recipients, ${REPEAT} runs per statement (after one warm-up)`);
  for (const [label, [sql, params]] of Object.entries(statements)) {
    await client.query(sql, params);
    const walls = [];
    const cpuBefore = cpuMs(pid);
    for (let i = 0; i < REPEAT; i += 1) {
      const start = process.hrtime.bigint();
      await client.query(sql, params);
      walls.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    const cpu = (cpuMs(pid) - cpuBefore) / REPEAT;
    console.log(
      `${label.padEnd(44)} PostgreSQL CPU ${cpu.toFixed(1)} ms · wall median ${percentile(walls, 50).toFixed(1)} ms ` +
        `(min ${Math.min(...walls).toFixed(1)}, max ${Math.max(...walls).toFixed(1)})`,
    );
  }
} finally {
  await client.end();
  await bench.drop();
}
