// PEC search and message benchmarks (issue #5): (a) p95 of the inbox list over 1,000,000 stored
// messages (goal < 200 ms) for a mix of searches and filters, (b) p95 of GET /api/v1/messages/:id
// (goal < 25 ms), both through the real HTTP API of the built server (`web` role) on a database of
// their own. The rows are generated in SQL (Italian-like words, skewed so some are common and some
// rare), their search documents by the same pec_search_document the application uses.
// Usage: npm run build && npm run bench:pec-search; BENCH_MESSAGES (default 1000000), BENCH_REQUESTS
// (default 400 per benchmark), BENCH_CONCURRENCY (default 2), BENCH_KEEP_DB=1 keeps the database,
// BENCH_DATABASE=<kept name> measures again without generating.
import pg from 'pg';
import { backendCpuMs, backendCpuSpent, cpuMs } from '../support.mjs';
import { benchDatabase, percentile, pool, startServer } from './harness.mjs';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const RECEIPTS = Math.round(MESSAGES / 10);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 400);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 2);
const CHUNK = 50_000;

// Words of Italian administrative mail, with the forms people write: the stemmer must join them.
const WORDS = `raccomandata raccomandate fattura fatture comune comunale delibera delibere determina
  protocollo protocolli ufficio uffici pagamento pagamenti scadenza scadenze avviso avvisi tributi tributo
  contratto contratti appalto appalti gara gare offerta offerte verbale verbali assemblea riunione riunioni
  convocazione convocazioni richiesta richieste istanza istanze documento documenti allegato allegati
  certificato certificati notifica notifiche sollecito solleciti diffida diffide ricorso ricorsi sentenza
  udienza tribunale avvocato avvocatura condominio amministratore fornitore fornitori cliente clienti
  ordine ordini consegna consegne spedizione trasmissione integrazione rettifica annullamento rimborso
  rimborsi sanzione sanzioni multa multe imposta imposte tassa tasse rata rate bilancio preventivo
  consuntivo regione provincia ministero agenzia entrate inps inail camera commercio registro anagrafe
  residenza cittadinanza permesso autorizzazione concessione edilizia urbanistica ambiente rifiuti acqua
  energia lavori pubblici manutenzione strade scuola scuole personale dipendente dipendenti assunzione
  concorso concorsi graduatoria nomina incarico dimissioni ferie malattia stipendio cedolino pensione`
  .split(/\s+/)
  .filter(Boolean);
const NAMES = `mario.rossi giulia.bianchi luca.ferrari anna.russo marco.romano sara.colombo paolo.ricci
  laura.marino andrea.greco chiara.bruno protocollo segreteria ragioneria tributi ufficio.tecnico
  anagrafe personale legale contratti appalti`
  .split(/\s+/)
  .filter(Boolean);
const DOMAINS = ['pec.comune.esempio.it', 'legalmail.it', 'pec.it', 'postacert.it', 'cert.provincia.esempio.it', 'pec.studiolegale.it'];

const sqlArray = (values) => `ARRAY[${values.map((v) => `'${v}'`).join(',')}]`;

const POOL = 20_000;

/**
 * The texts: POOL distinct subjects and bodies (skewed word choice, random()^2), their documents
 * computed once; stemming a million bodies would take the benchmark's setup most of an hour on two cores.
 */
function poolSql() {
  return `
    CREATE UNLOGGED TABLE bench_texts AS
    WITH v AS (SELECT ${sqlArray(WORDS)} AS w),
    t AS (
      SELECT i,
        -- "+ 0 * k" ties the aggregate to the inner query (it would otherwise aggregate the outer one).
        -- Plus what makes a PEC findable: its file number (pratica), each in 1 of ${POOL} texts.
        initcap((SELECT string_agg(v.w[1 + floor(random() ^ 3 * array_length(v.w, 1))::int + 0 * k], ' ') FROM generate_series(1, 3 + i % 5) k)) ||
          ' pratica ' || to_char(i, 'FM00000') AS subject,
        (SELECT string_agg(v.w[1 + floor(random() ^ 3 * array_length(v.w, 1))::int + 0 * k], ' ') FROM generate_series(1, 25 + i % 20) k) AS body
      FROM generate_series(1, ${POOL}) i, v
    )
    SELECT i, subject, pec_search_document(subject, '{}', body,
      CASE WHEN i % 3 = 0 THEN ARRAY[split_part(body, ' ', 1) || '_' || (i % 1000) || '.pdf'] ELSE '{}' END) AS doc
    FROM t`;
}

function peopleSql() {
  return `
    CREATE UNLOGGED TABLE bench_people AS
    SELECT row_number() OVER () AS j, address, pec_search_document(NULL, ARRAY[address, 'protocollo@pec.demo.test'], NULL, NULL) AS doc
    FROM (SELECT n || '@' || d AS address FROM unnest(${sqlArray(NAMES)}) n, unnest(${sqlArray(DOMAINS)}) d) a`;
}

/** One chunk of messages, g in (from, to]: two years of history, 60% received, one in 50 an anomalia. */
function messagesSql(from, to, tenant, mailboxes) {
  return `
    INSERT INTO pec_messages (tenant_id, mailbox_id, direction, kind, status, message_id, subject, from_address,
      to_addresses, cc_addresses, receipt_type, created_at, search)
    SELECT '${tenant}', (${sqlArray(mailboxes)}::uuid[])[1 + (g % 7 = 0)::int], direction,
      CASE WHEN g % 50 = 0 THEN 'anomalia' ELSE 'posta-certificata' END,
      CASE WHEN direction = 'in' THEN 'received' ELSE (ARRAY['delivered','delivered','delivered','accepted','failed','partial'])[1 + g % 6] END,
      md5(g::text) || '@bench.test', t.subject,
      CASE WHEN direction = 'in' THEN p.address ELSE 'protocollo@pec.demo.test' END,
      ARRAY[CASE WHEN direction = 'in' THEN 'protocollo@pec.demo.test' ELSE p.address END], '{}', 'completa',
      now() - make_interval(secs => g * 63 + random() * 60), t.doc || p.doc
    FROM (SELECT g, CASE WHEN g % 10 < 6 THEN 'in' ELSE 'out' END AS direction FROM generate_series(${from + 1}::bigint, ${to}) g) s
    JOIN bench_texts t ON t.i = 1 + (g * 7919) % ${POOL}
    JOIN bench_people p ON p.j = 1 + (g * 104729) % (SELECT count(*) FROM bench_people)`;
}

async function seed(db, url, reused) {
  const [{ id: tenant }] = (await db.query(`SELECT id FROM tenants WHERE slug = 'demo'`)).rows;
  const mailboxes = (await db.query(`SELECT id FROM mailboxes WHERE tenant_id = $1 ORDER BY address`, [tenant])).rows.map((r) => r.id);
  if (reused) return sample(db, mailboxes[0]);
  await db.query('DROP INDEX pec_messages_search');
  const started = Date.now();
  await db.query(poolSql());
  await db.query(peopleSql());
  await db.query('ANALYZE bench_texts');
  await db.query('ANALYZE bench_people');
  // Two connections: the machine's two cores both stem words.
  const workers = await Promise.all(
    [0, 1].map(async () => {
      const client = new pg.Client({ connectionString: url });
      // The database is dropped WITH (FORCE) after a failure: that ending is not another error.
      client.on('error', () => undefined);
      await client.connect();
      return client;
    }),
  );
  let next = 0;
  await Promise.all(
    workers.map(async (client) => {
      while (next < MESSAGES) {
        const from = next;
        next += CHUNK;
        await client.query(messagesSql(from, Math.min(from + CHUNK, MESSAGES), tenant, mailboxes));
        process.stdout.write('.');
      }
    }),
  );
  await Promise.all(workers.map((client) => client.end()));
  await db.query('DROP TABLE bench_texts, bench_people');
  console.log(`\n${MESSAGES} messages generated in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  await db.query(`
    INSERT INTO pec_receipts (tenant_id, mailbox_id, receipt_message_id, kind, references_message_id, recipient, message_id, parsed, source, received_at)
    SELECT m.tenant_id, m.mailbox_id, 'r' || n || m.message_id, CASE WHEN n = 1 THEN 'accettazione' ELSE 'avvenuta-consegna' END, m.message_id,
      m.to_addresses[1], m.id, jsonb_build_object('subject', CASE WHEN n = 1 THEN 'ACCETTAZIONE: ' ELSE 'CONSEGNA: ' END || m.subject,
      'sender', 'posta-certificata@pec.provider.test'), '\\x00', m.created_at + n * interval '5 seconds'
    FROM (SELECT * FROM pec_messages WHERE direction = 'out' ORDER BY created_at DESC LIMIT ${Math.round(RECEIPTS / 2)}) m, generate_series(1, 2) n`);
  // The message page's part: recipients and their timeline for a sample of sent messages.
  await db.query(`
    WITH sample AS (SELECT id, tenant_id, to_addresses[1] AS address, created_at FROM pec_messages WHERE direction = 'out' ORDER BY created_at DESC LIMIT 2000),
    r AS (INSERT INTO pec_recipients (tenant_id, message_id, address, field, status) SELECT tenant_id, id, address, 'to', 'delivered' FROM sample RETURNING id, tenant_id)
    INSERT INTO pec_recipient_events (tenant_id, recipient_id, kind, status, at)
    SELECT r.tenant_id, r.id, k.kind, k.status, now() FROM r,
      (VALUES ('queued','queued'), ('sending','sending'), ('submitted','sending'), ('accettazione','accepted'), ('avvenuta-consegna','delivered')) k(kind, status)`);
  const indexStarted = Date.now();
  await db.query(`SET maintenance_work_mem = '512MB'`);
  await db.query('CREATE INDEX pec_messages_search ON pec_messages USING gin (search)');
  await db.query('VACUUM ANALYZE pec_messages');
  await db.query('VACUUM ANALYZE pec_receipts');
  console.log(`search index built in ${((Date.now() - indexStarted) / 1000).toFixed(0)} s`);
  return sample(db, mailboxes[0]);
}

/** Messages with a recipient and its timeline, of the mailbox the operator's office sees (protocollo). */
async function sample(db, mailbox) {
  const visible = `SELECT r.message_id FROM pec_recipients r JOIN pec_messages m ON m.id = r.message_id WHERE m.mailbox_id = $1`;
  return (await db.query(visible, [mailbox])).rows.map((r) => r.message_id);
}

/** The mix: what people do in an inbox, as admin (every mailbox) and as the Protocollo operator (one office). */
function queries(mailbox) {
  const since = new Date(Date.now() - 90 * 86400_000).toISOString().slice(0, 10);
  return [
    ['admin', 'newest, no filter', ''],
    ['admin', 'common word', 'q=raccomandata'],
    ['admin', 'two words', 'q=fattura+pagamento'],
    ['admin', 'rare word', 'q=cedolino'],
    ['admin', 'file number', 'q=pratica+01234'],
    ['admin', 'phrase', `q=${encodeURIComponent('"avviso di pagamento"')}`],
    ['admin', 'word + mailbox + direction', `q=delibera&mailboxId=${mailbox}&direction=in`],
    ['admin', 'status + last 90 days', `status=failed&since=${since}`],
    ['admin', 'sender', 'sender=mario.rossi%40legalmail.it'],
    ['admin', 'anomalies', 'kind=anomalia'],
    ['admin', 'receipts and messages, word', 'entry=all&q=contratto'],
    ['admin', 'attachment name', 'q=verbale_42.pdf'],
    ['operator', 'office, word', 'q=scadenze'],
    ['operator', 'office, newest', ''],
  ];
}

/**
 * CPU of the server's process and of its PostgreSQL backends, which a loaded machine does not inflate
 * the way it does wall time: `meter()` reads both, `meter(start)` says what was spent per request since.
 */
function cpuMeter(client, pid) {
  return async (start) => {
    const now = { node: cpuMs(pid), postgres: await backendCpuMs(client) };
    if (!start) return now;
    const perRequest = (ms) => (ms / REQUESTS).toFixed(2);
    return `server ${perRequest(now.node - start.node)} ms, PostgreSQL ${perRequest(backendCpuSpent(start.postgres, now.postgres))} ms`;
  };
}

const db = await benchDatabase('bench_pec_search');
let server;
try {
  const detailIds = await seed(db.db, db.url, db.reused);
  const [{ id: mailbox }] = (await db.db.query(`SELECT id FROM mailboxes WHERE address = 'protocollo@pec.demo.test'`)).rows;
  server = await startServer(db.env, 'web', CONCURRENCY);
  const tokens = { admin: await server.signIn('admin@demo.test'), operator: await server.signIn('operator@demo.test') };
  const mix = queries(mailbox);

  // Warm-up: one pass over the mix, then each query's second page through its cursor.
  const cursors = [];
  for (const [who, , query] of mix) {
    const page = await server.call('GET', `/api/v1/messages?${query}`, tokens[who]);
    if (page.nextCursor) cursors.push([who, 'next page (cursor)', `${query}&cursor=${page.nextCursor}`]);
  }
  const all = [...mix, ...cursors.slice(0, 2)];
  const timings = new Map(all.map(([, name]) => [name, []]));
  const cpuPerRequest = cpuMeter(db.db, server.pid);
  const listCpu0 = await cpuPerRequest();
  await pool(REQUESTS, CONCURRENCY, async (i) => {
    const [who, name, query] = all[i % all.length];
    const started = performance.now();
    await server.call('GET', `/api/v1/messages?${query}`, tokens[who]);
    timings.get(name).push(performance.now() - started);
  });
  const listCpu = await cpuPerRequest(listCpu0);
  const every = [...timings.values()].flat();
  console.log(`\n(a) inbox list over ${MESSAGES} messages + ${RECEIPTS} receipts, ${REQUESTS} requests, concurrency ${CONCURRENCY}`);
  for (const [name, values] of timings)
    if (values.length)
      console.log(`  ${name.padEnd(32)} p50 ${percentile(values, 50).toFixed(1)} ms  p95 ${percentile(values, 95).toFixed(1)} ms`);
  console.log(
    `  ALL: p50 ${percentile(every, 50).toFixed(1)} ms  p95 ${percentile(every, 95).toFixed(1)} ms  p99 ${percentile(every, 99).toFixed(1)} ms  (goal p95 < 200 ms)`,
  );
  console.log(`  CPU per request: ${listCpu}`);

  const single = [];
  const singleCpu0 = await cpuPerRequest();
  await pool(REQUESTS, CONCURRENCY, async (i) => {
    const started = performance.now();
    await server.call('GET', `/api/v1/messages/${detailIds[i % detailIds.length]}`, tokens.operator);
    single.push(performance.now() - started);
  });
  console.log(`\n(b) GET /api/v1/messages/:id (recipient + 5 timeline lines), ${REQUESTS} requests, concurrency ${CONCURRENCY}`);
  const singleCpu = await cpuPerRequest(singleCpu0);
  console.log(`  p50 ${percentile(single, 50).toFixed(1)} ms  p95 ${percentile(single, 95).toFixed(1)} ms  (goal p95 < 25 ms)`);
  console.log(`  CPU per request: ${singleCpu}`);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  server?.stop();
  await db.drop();
}
