// Receipts per minute through intake → parse → correlate (issue #5, goal ≥ 40,000/min), end to end
// as production runs it: real receipts (S/MIME-signed accettazione and avvenuta consegna, built by
// the local provider's envelopes) are delivered over LMTP into a Dovecot mailbox first (not timed:
// the goal is the intake's rate, not the provider's), then the built worker (`node dist/main.js
// worker`) reads it: IMAP FETCH, sealed rows and checkpoint, pec-inbound jobs through BullMQ, parse
// with the signature check, correlation of every receipt to its message and recipient.
// The clock runs from the first row recorded to the last one processed; CPU is read from /proc over
// the same span for the worker, the PostgreSQL backends of the bench's database and the Dovecot
// imap processes of the bench's mailbox: on a shared machine CPU per receipt is the steadier figure.
// Usage: npm run bench:pec-receipts; BENCH_RECEIPTS (default 20000), BENCH_KEEP_DB=1 keeps the
// database, BENCH_WORKERS (default 1) worker processes, PEC_INTAKE_BATCH_SIZE passes to the worker,
// BENCH_CPU_PROF=dir profiles it (--cpu-prof). Needs `npm run build`, Dovecot, PostgreSQL, Redis.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cpuMs, startPecflow, stopPecflow } from '../support.mjs';
import { benchDatabase, pool, ROOT, sleep } from './harness.mjs';

const RECEIPTS = Number(process.env.BENCH_RECEIPTS ?? 20_000);
const DOMAIN = 'pec.demo.test';
const dist = (file) => import(path.join(ROOT, 'dist', file));

const db = await benchDatabase('bench_pec_receipts');
const certificates = mkdtempSync(path.join(tmpdir(), 'bench-pec-certs-'));
const address = `bench-receipts-${Date.now().toString(36)}@${DOMAIN}`;
const { loadConfig } = await dist('config/load-config.js');
const config = loadConfig(db.env);
const { LocalMailboxes } = await dist('local-mail/local-mailboxes.js');
const dovecot = new LocalMailboxes(config);
const home = `/${DOMAIN}/${address.split('@')[0]}`;
/** Worker processes (BENCH_WORKERS, default 1): one holds the mailbox's lease and reads it, all take its pec-inbound jobs. */
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
let workers = [];
try {
  const { SecretBox } = await dist('secrets/secret-box.js');
  const { sealCredentials } = await dist('mailboxes/mailbox-credentials.js');
  const { LmtpDelivery } = await dist('pec-provider/lmtp-delivery.js');
  const { ProviderCertificates } = await dist('pec-provider/certificates.js');
  const { acceptance, delivery } = await dist('pec-provider/envelopes.js');
  const { providerId } = await dist('pec-provider/provider-ids.js');

  // The mailbox, in Dovecot and in pecflow (preset local, the demo workspace).
  const password = randomBytes(12).toString('hex');
  await dovecot.ensure(address, password);
  const [{ id: tenantId }] = (await db.db.query(`SELECT id FROM tenants WHERE slug = 'demo'`)).rows;
  const mailboxId = randomUUID();
  await db.db.query(
    `INSERT INTO mailboxes (id, tenant_id, address, preset, profile, smtp_host, smtp_port, smtp_security, imap_host, imap_port,
       imap_security, sent_folder, per_minute, per_day, max_message_mb, max_recipients, credentials)
     VALUES ($1, $2, $3, 'local', 'standard', '127.0.0.1', 25, 'none', '127.0.0.1', $4, 'none', 'Sent', 60, 1000, 30, 50, $5)`,
    [
      mailboxId,
      tenantId,
      address,
      config.DOVECOT_IMAP_PORT,
      sealCredentials(new SecretBox(config), mailboxId, { username: address, password }),
    ],
  );

  // The messages the receipts are about: sent, one recipient each, waiting for their receipts.
  const messages = RECEIPTS / 2;
  const sent = (
    await db.db.query(
      `WITH m AS (
         INSERT INTO pec_messages (tenant_id, mailbox_id, direction, kind, status, message_id, subject, from_address, to_addresses, cc_addresses, receipt_type)
         SELECT $1, $2, 'out', 'posta-certificata', 'sending', md5(g::text) || '@${DOMAIN}', 'Avviso di pagamento n. ' || g, $3,
                ARRAY['ente' || g % 50 || '@pec.acme.test'], '{}', 'completa'
         FROM generate_series(1, $4::int) g RETURNING id, tenant_id, message_id, subject, to_addresses)
       , r AS (INSERT INTO pec_recipients (tenant_id, message_id, address, field, status) SELECT tenant_id, id, to_addresses[1], 'to', 'sending' FROM m)
       SELECT message_id, subject, to_addresses[1] AS recipient FROM m`,
      [tenantId, mailboxId, address, messages],
    )
  ).rows;

  // The receipts, signed and delivered into the INBOX before the worker starts (not timed).
  let started = Date.now();
  const signer = await new ProviderCertificates(certificates).forDomain(DOMAIN);
  const lmtp = new LmtpDelivery(config.DOVECOT_LMTP_PORT);
  await pool(sent.length, 4, async (i) => {
    const row = sent[i];
    const certified = {
      pecId: providerId(DOMAIN),
      msgid: row.message_id,
      sender: address,
      recipients: [row.recipient],
      replyTo: address,
      subject: row.subject,
      subjectRaw: row.subject,
      receiptKind: 'completa',
      acceptedAt: new Date().toISOString(),
    };
    const emitter = () => ({ domain: DOMAIN, gestore: 'Gestore di prova', signer, messageId: providerId(DOMAIN), now: new Date() });
    const postacert = Buffer.from(
      `From: ${address}\r\nTo: ${row.recipient}\r\nSubject: ${row.subject}\r\nMessage-ID: <${row.message_id}>\r\n\r\nIn allegato l'avviso.\r\n`,
    );
    await lmtp.deliver(`posta-certificata@${DOMAIN}`, address, await acceptance(emitter(), certified));
    await lmtp.deliver(`posta-certificata@${DOMAIN}`, address, await delivery(emitter(), certified, row.recipient, postacert));
  });
  lmtp.close();
  console.log(
    `${RECEIPTS} receipts built, signed and delivered to ${address} in ${((Date.now() - started) / 1000).toFixed(1)} s (not timed)`,
  );

  // The worker reads the mailbox; the span is first row recorded → last row processed.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  workers = await Promise.all(Array.from({ length: WORKERS }, async () => (await startPecflow(db.env, 'worker', profile)).child));
  const exited = () => workers.find((worker) => worker.exitCode !== null);
  const count = async () =>
    (
      await db.db.query(
        `SELECT count(*)::int AS recorded, count(*) FILTER (WHERE state = 'processed')::int AS processed
         FROM pec_inbound_messages WHERE mailbox_id = $1`,
        [mailboxId],
      )
    ).rows[0];
  while ((await count()).recorded === 0) {
    if (exited()) throw new Error(`a worker exited with ${exited().exitCode}`);
    await sleep(50);
  }
  const before = await usage(workers);
  started = performance.now();
  for (let last = 0; ;) {
    const { recorded, processed } = await count();
    if (processed >= RECEIPTS) break;
    if (exited()) throw new Error(`a worker exited with ${exited().exitCode}`);
    if (recorded > RECEIPTS) throw new Error(`${recorded} rows recorded for ${RECEIPTS} messages`);
    if (performance.now() - last > 10_000) {
      console.log(`  … ${recorded} recorded, ${processed} processed`);
      last = performance.now();
    }
    await sleep(50);
  }
  const seconds = (performance.now() - started) / 1000;
  const after = await usage(workers);

  const [{ delivered }] = (await db.db.query(`SELECT count(*)::int AS delivered FROM pec_recipients WHERE status = 'delivered'`)).rows;
  const [{ receipts }] = (await db.db.query(`SELECT count(*)::int AS receipts FROM pec_receipts WHERE message_id IS NOT NULL`)).rows;
  if (delivered !== messages || receipts !== RECEIPTS) throw new Error(`only ${delivered} delivered, ${receipts} receipts matched`);
  const per = (key) => ((after[key] - before[key]) / RECEIPTS).toFixed(2);
  const total = ['worker', 'postgres', 'dovecot'].reduce((sum, key) => sum + after[key] - before[key], 0) / RECEIPTS;
  console.log(
    `\n${RECEIPTS} receipts read over IMAP, recorded, parsed and correlated in ${seconds.toFixed(1)} s by ${WORKERS} worker process(es); every recipient delivered`,
  );
  console.log(`  ${Math.round((RECEIPTS / seconds) * 60)} receipts/min (goal ≥ 40,000/min)`);
  console.log(
    `  CPU per receipt: worker ${per('worker')} ms, PostgreSQL ${per('postgres')} ms, Dovecot ${per('dovecot')} ms (total ${total.toFixed(2)} ms)`,
  );
  console.log(`  at that CPU cost, 2 cores would do ${Math.round((2 * 60_000) / total)} receipts/min`);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await Promise.all(workers.map((worker) => stopPecflow(worker)));
  rmSync(certificates, { recursive: true, force: true });
  await dovecot.remove(address).catch(() => undefined);
  await db.drop();
}

/**
 * CPU so far (ms) of the worker, of the PostgreSQL backends serving the bench's database and of the
 * Dovecot imap processes serving the bench's mailbox (their working directory is its home).
 */
async function usage(workers) {
  const backends = (await db.db.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`))
    .rows;
  const imap = readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid))
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/cwd`).endsWith(home);
      } catch {
        return false;
      }
    });
  const sum = (pids) => pids.reduce((total, pid) => total + safeCpu(pid), 0);
  return { worker: sum(workers.map((worker) => worker.pid)), postgres: sum(backends.map((row) => row.pid)), dovecot: sum(imap) };
}

function safeCpu(pid) {
  try {
    return cpuMs(pid);
  } catch {
    return 0;
  }
}
