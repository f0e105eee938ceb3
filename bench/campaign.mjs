// A campaign end to end (issue #7 item 9): N recipients (default 20,000; `npm run bench:campaign -- 2000`)
// through the built pipeline — web role (create, start), worker role (import, paced batches to the
// provider, the IMAP intake of the receipts, correlation into campaign_recipients) — to the local PEC
// provider (in this process; catch-all recipients of pec.example.test in benchmark mode: receipts are
// made and delivered, the bustas are not stored) from an extra-large mailbox (100,000/min, the most a
// profile may say). Prints PEC/min sent, receipts/min processed, p95 send → delivered, peak RSS of
// the roles, CPU per PEC; then, in the same run, nodemailer blasting the same messages at the same
// provider over the same pooled transport settings, and the ratio; and the time and web CPU the campaign's
// receipts ZIP takes to download. Needs `npm run build`, PostgreSQL,
// Redis, Dovecot. The machine is shared: read the CPU figures and the ratio, not the wall times alone.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { benchDatabase, percentile, ROOT, sleep, startServer } from './pec/harness.mjs';
import { cpuMs, freePort, rssKiB, startPecflow, stopPecflow } from './support.mjs';

const N = Number(process.argv[2] ?? process.env.BENCH_RECIPIENTS ?? 20_000);
const PER_MINUTE = 100_000;
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 30 * 60_000);
const dist = (file) => import(path.join(ROOT, 'dist', file));
const print = (line) => console.log(line);

const db = await benchDatabase('bench_campaign');
const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-campaign-provider-'));
const providerPort = await freePort();
const env = {
  ...db.env,
  PEC_PROVIDER_DATA_DIR: dataDir,
  PEC_PROVIDER_SMTP_PORT: String(providerPort),
  PEC_PROVIDER_LATENCY_MS: '0',
  PEC_PROVIDER_CATCH_ALL_STORE: 'false',
};
Object.assign(process.env, env);
const tag = randomBytes(3).toString('hex');
const sender = { address: `bench-${tag}@pec.demo.test`, password: randomBytes(12).toString('base64url') };
const blaster = { address: `blast-${tag}@pec.demo.test`, password: randomBytes(12).toString('base64url') };
let provider;
let redis;
let web;
let worker;
let localMailboxes;
try {
  const { loadConfig } = await dist('config/load-config.js');
  const { LocalMailboxes } = await dist('local-mail/local-mailboxes.js');
  const { ProviderMailboxes } = await dist('pec-provider/provider-mailboxes.js');
  const { PecProvider } = await dist('pec-provider/pec-provider.js');
  const { connectRedis } = await dist('queue/redis.module.js');
  const config = loadConfig(process.env);
  redis = connectRedis(config);
  localMailboxes = new LocalMailboxes(config);
  const mailboxes = new ProviderMailboxes(localMailboxes, redis, config);
  const limits = { perMinute: 1_000_000, perDay: 100_000_000 };
  await mailboxes.add(sender.address, sender.password, limits);
  await mailboxes.add(blaster.address, blaster.password, limits);
  provider = new PecProvider(mailboxes, redis, config);
  await provider.listen(providerPort);

  web = await startServer(env, 'web', 4);
  worker = (await startPecflow(env, 'worker')).child;
  const token = await web.signIn('admin@demo.test');
  const mailbox = await web.call('POST', '/api/v1/mailboxes', token, {
    address: sender.address,
    preset: 'local',
    password: sender.password,
    smtp: { port: providerPort },
    profile: 'massiva-xl',
    limits: { perMinute: PER_MINUTE, perDay: 10_000_000 },
  });

  const addresses = Array.from({ length: N }, (_, n) => `dest-${n + 1}-${tag}@pec.example.test`);
  const csv = ['pec;nome;importo', ...addresses.map((address, n) => `${address};Persona ${n + 1};€ ${(n % 500) + 1},00`)].join('\r\n');
  const subject = `Avviso ${tag} per {{nome}}`;
  const text = 'Gentile {{nome}}, l’importo dovuto è {{importo}}. Distinti saluti.';
  const created = await multipart(web.base, token, { mailboxId: mailbox.id, name: `Bench ${tag}`, subject, text }, csv);
  const importStarted = Date.now();
  for (;;) {
    const view = await web.call('GET', `/api/v1/campaigns/${created.id}`, token);
    if (view.import.state === 'done') break;
    if (view.import.state === 'failed') throw new Error(`import failed: ${view.import.error}`);
    await sleep(500);
  }
  print(`campaign bench: ${N} recipients, mailbox pace ${PER_MINUTE}/min, load average ${loadavg()[0].toFixed(1)} (shared machine)`);
  print(`  import: ${((Date.now() - importStarted) / 1000).toFixed(1)} s (not part of the figures below)`);

  const pids = { web: web.pid, worker: worker.pid };
  const cpuBefore = { worker: cpuMs(worker.pid), provider: process.cpuUsage() };
  const peak = { web: 0, worker: 0 };
  const started = Date.now();
  // The pipeline is measured, not the approval: this bench's own database lets the demo workspace send without it.
  await db.db.query(`UPDATE tenants SET campaigns = NULL WHERE slug = 'demo'`);
  // The demo workspace's 10,000 beats pay for fewer PEC than the default 20,000: a pack for all of them.
  await db.db.query(
    `SELECT beats_add_pack(id, 'bench-campaign', $1, now(), now() + interval '1 year', NULL, NULL) FROM tenants WHERE slug = 'demo'`,
    [N],
  );
  await web.call('POST', `/api/v1/campaigns/${created.id}/start`, token);
  let status = 'sending';
  for (;;) {
    for (const [role, pid] of Object.entries(pids)) peak[role] = Math.max(peak[role], rssKiB(pid));
    status = (await web.call('GET', `/api/v1/campaigns/${created.id}`, token)).status;
    if (status === 'closed') break;
    if (Date.now() - started > TIMEOUT_MS) throw new Error(`not closed after ${TIMEOUT_MS / 1000} s: ${status}`);
    await sleep(250);
  }
  const workerCpu = cpuMs(worker.pid) - cpuBefore.worker;
  const providerCpu = process.cpuUsage(cpuBefore.provider);
  const rows = (
    await db.db.query(
      `SELECT state, extract(epoch FROM attempted_at) * 1000 AS attempted, extract(epoch FROM sent_at) * 1000 AS sent
         FROM campaign_recipients WHERE campaign_id = $1`,
      [created.id],
    )
  ).rows.map((row) => ({ state: row.state, attempted: Number(row.attempted), sent: Number(row.sent) }));
  const [receipts] = (
    await db.db.query(
      `SELECT count(*)::int AS n, extract(epoch FROM min(received_at)) * 1000 AS first, extract(epoch FROM max(received_at)) * 1000 AS last
         FROM pec_receipts WHERE references_message_id LIKE $1`,
      [`campaign.${created.id}.%`],
    )
  ).rows;
  // The avvenuta consegna's arrival (received_at) after the 250: daticert times have whole seconds only.
  const latencies = (
    await db.db.query(
      `SELECT extract(epoch FROM (p.received_at - r.sent_at)) * 1000 AS ms FROM campaign_recipients r
         JOIN pec_receipts p ON p.references_message_id = r.message_id AND p.kind = 'avvenuta-consegna'
        WHERE r.campaign_id = $1`,
      [created.id],
    )
  ).rows.map((row) => Number(row.ms));
  const delivered = rows.filter((row) => row.state === 'delivered');
  const firstSent = Math.min(...rows.map((row) => row.attempted));
  const lastSent = Math.max(...rows.map((row) => row.sent));
  const sendMinutes = (lastSent - firstSent) / 60_000;
  const pipelineRate = N / sendMinutes;
  const receiptMinutes = (Number(receipts.last) - Number(receipts.first)) / 60_000;
  print(`\n(a) pipeline: ${delivered.length}/${N} delivered, campaign closed ${((Date.now() - started) / 1000).toFixed(1)} s after start`);
  print(`  sent: ${Math.round(pipelineRate)} PEC/min (first attempt → last 250 in ${(sendMinutes * 60).toFixed(1)} s; goal ≥ 20,000/min)`);
  print(`  receipts: ${receipts.n} processed, ${Math.round(receipts.n / receiptMinutes)} receipts/min (first → last stored)`);
  print(
    `  send (250) → avvenuta consegna stored: p50 ${(percentile(latencies, 50) / 1000).toFixed(1)} s, p95 ${(percentile(latencies, 95) / 1000).toFixed(1)} s`,
  );
  print(`  peak RSS: worker ${Math.round(peak.worker / 1024)} MB, web ${Math.round(peak.web / 1024)} MB (goal < 1 GB)`);
  print(
    `  CPU: worker ${(workerCpu / N).toFixed(2)} ms per PEC (send + intake + correlation), provider (this process) ${(
      (providerCpu.user + providerCpu.system) /
      1000 /
      N
    ).toFixed(2)} ms per PEC`,
  );

  // The campaign's receipts ZIP, as a manager downloads it once the campaign closed.
  const zipCpu = cpuMs(web.pid);
  const zipStarted = Date.now();
  const zipBytes = await download(web.base, token, `/api/v1/campaigns/${created.id}/receipts.zip`);
  const zipSeconds = (Date.now() - zipStarted) / 1000;
  print(
    `  receipts ZIP: ${receipts.n} files, ${(zipBytes / 1024 / 1024).toFixed(1)} MiB in ${zipSeconds.toFixed(1)} s ` +
      `(${Math.round(receipts.n / zipSeconds)} files/s), web CPU ${((cpuMs(web.pid) - zipCpu) / receipts.n).toFixed(2)} ms per file`,
  );

  // (b) The same messages, blasted with nodemailer at the same provider: the ceiling the pipeline is compared with.
  const { createTransport } = await import('nodemailer');
  const transport = createTransport({
    host: '127.0.0.1',
    port: providerPort,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: 2,
    auth: { user: blaster.address, pass: blaster.password },
  });
  const blastStarted = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < N) {
        const n = next++;
        await transport.sendMail({
          from: blaster.address,
          to: addresses[n],
          subject: `Avviso ${tag} per Persona ${n + 1}`,
          text: `Gentile Persona ${n + 1}, l’importo dovuto è € ${(n % 500) + 1},00. Distinti saluti.`,
          messageId: `<blast.${tag}.${n}@pec.demo.test>`,
        });
      }
    }),
  );
  transport.close();
  const rawRate = N / ((Date.now() - blastStarted) / 60_000);
  print(`\n(b) nodemailer blast, same messages, same provider, pool of 2: ${Math.round(rawRate)} PEC/min`);
  print(`  ratio pipeline / raw: ${(pipelineRate / rawRate).toFixed(2)} (goal ≥ 0.6)`);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  web?.stop();
  await stopPecflow(worker);
  await provider?.close();
  for (const box of [sender, blaster]) await localMailboxes?.remove(box.address).catch(() => undefined);
  await redis?.quit();
  rmSync(dataDir, { recursive: true, force: true });
  if (process.env.BENCH_KEEP_DB) print(`database kept: ${db.name}`);
  else await db.drop();
}

/** POST /api/v1/campaigns as multipart/form-data over node:http (the harness's call() speaks JSON). */
async function multipart(base, token, fields, csv) {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  parts.push(
    `--${boundary}\r\nContent-Disposition: form-data; name="recipients"; filename="destinatari.csv"\r\nContent-Type: text/csv\r\n\r\n`,
  );
  const body = Buffer.concat([Buffer.from(parts.join('')), Buffer.from(csv), Buffer.from(`\r\n--${boundary}--\r\n`)]);
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${base}/api/v1/campaigns`,
      {
        method: 'POST',
        headers: {
          Host: 'demo.localhost',
          Authorization: `Bearer ${token}`,
          'Content-Type': `multipart/form-data; boundary=${boundary}`,
          'Content-Length': body.length,
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode !== 201) reject(new Error(`POST /api/v1/campaigns: ${res.statusCode} ${text}`));
          else resolve(JSON.parse(text));
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** GET `pathname` to the end; the number of bytes received (a 200 expected). */
async function download(base, token, pathname) {
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${pathname}`, { headers: { Host: 'demo.localhost', Authorization: `Bearer ${token}` } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => (bytes += chunk.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`GET ${pathname}: ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
