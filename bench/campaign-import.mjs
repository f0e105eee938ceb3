// Campaign recipients import benchmark (issue #7 item 2): an XLSX of N rows (default 100,000) uploaded to
// POST /api/v1/campaigns, imported by the worker into campaign_recipients. Web and worker run as separate
// processes (as in production) on a fresh database; prints the time to the 201 and to the last row stored, rows
// per second, the worker's CPU per 1,000 rows and its peak RSS (sampled every 50 ms), and the web role's
// /health/live latency during the import (the server stays responsive).
// Usage: npm run build && node bench/campaign-import.mjs   (npm run bench:campaign-import); BENCH_ROWS (default 100000).
import ExcelJS from 'exceljs';
import http from 'node:http';
import { PassThrough } from 'node:stream';
import { benchDatabase, cpuMs, percentile, requireBuild, rssKiB, sleep, startPecflow, stopPecflow } from './support.mjs';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const HOST = 'demo.localhost';
const PASSWORD = 'pecflow-demo';

requireBuild();
const bench = benchDatabase('bench_campaign');

/** A sheet as offices send them: a title row, then pec, name, tax code, amount, due date and a notice number. */
async function workbook(rows) {
  const out = new PassThrough();
  const chunks = [];
  out.on('data', (chunk) => chunks.push(chunk));
  const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: true });
  const sheet = writer.addWorksheet('Destinatari');
  sheet.addRow(['Avvisi di pagamento TARI 2026']).commit();
  sheet.addRow(['pec', 'nome', 'codice fiscale', 'importo', 'scadenza', 'avviso']).commit();
  for (let i = 1; i <= rows; i += 1) {
    sheet
      .addRow([
        `contribuente.${i}@pec.example.test`,
        `Contribuente Numero ${i}`,
        `RSSMRA80A01H501${String(i % 10)}`,
        (i % 997) + 0.5,
        new Date(Date.UTC(2026, 11, 31)),
        `TARI-2026-${i}`,
      ])
      .commit();
  }
  await writer.commit();
  return Buffer.concat(chunks);
}

/** One request to the workspace's host (the tenant comes from the Host header, which fetch would not send). */
function api(base, method, pathname, token, body) {
  const multipart = body instanceof Map;
  const boundary = `----bench${Date.now()}`;
  const payload = body === undefined ? undefined : multipart ? formData(body, boundary) : Buffer.from(JSON.stringify(body));
  const headers = {
    Host: HOST,
    ...(token ? { Authorization: `Bearer ${token}` } : {}),
    ...(payload ? { 'Content-Type': multipart ? `multipart/form-data; boundary=${boundary}` : 'application/json' } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${pathname}`, { method, headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode >= 300) reject(new Error(`${method} ${pathname}: ${res.statusCode} ${text}`));
        else resolve(JSON.parse(text));
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Text fields as strings, files as { name, content }. */
function formData(fields, boundary) {
  const parts = [...fields].map(([name, value]) =>
    typeof value === 'string'
      ? Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      : Buffer.concat([
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${value.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
          ),
          value.content,
          Buffer.from('\r\n'),
        ]),
  );
  return Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]);
}

async function main() {
  let web;
  let worker;
  const db = bench.client();
  try {
    await bench.seed();
    const t = performance.now();
    const file = await workbook(ROWS);
    const buildSeconds = (performance.now() - t) / 1000;
    web = await startPecflow({ ...bench.env }, 'web');
    worker = await startPecflow({ ...bench.env }, 'worker');
    await sleep(2000); // the worker connects its queues
    await db.connect();
    const token = (await api(web.base, 'POST', '/api/v1/auth/token', undefined, { email: 'admin@demo.test', password: PASSWORD }))
      .accessToken;
    const { mailboxes } = await api(web.base, 'GET', '/api/v1/mailboxes', token);
    const mailbox = mailboxes.find((m) => m.address === 'protocollo@pec.demo.test');

    // Sample the worker's memory and the web role's liveness latency while the import runs.
    const pid = worker.child.pid;
    let peakRss = rssKiB(pid);
    const rssAtStart = peakRss;
    const latencies = [];
    let sampling = true;
    const memory = (async () => {
      while (sampling) {
        peakRss = Math.max(peakRss, rssKiB(pid));
        await sleep(50);
      }
    })();
    const liveness = (async () => {
      while (sampling) {
        const t0 = performance.now();
        await api(web.base, 'GET', '/health/live');
        latencies.push(performance.now() - t0);
        await sleep(100);
      }
    })();

    const form = new Map([
      ['mailboxId', mailbox.id],
      ['name', `Benchmark ${ROWS}`],
      ['subject', 'Avviso {{avviso}} per {{nome}}'],
      ['html', '<p>Gentile {{nome}} ({{[codice fiscale]}}), importo {{importo}} entro il {{scadenza}}.</p>'],
      ['recipients', { name: 'destinatari.xlsx', content: file }],
    ]);
    const cpu0 = cpuMs(pid);
    const t0 = performance.now();
    const created = await api(web.base, 'POST', '/api/v1/campaigns', token, form);
    const answeredSeconds = (performance.now() - t0) / 1000;
    let campaign;
    for (;;) {
      campaign = await api(web.base, 'GET', `/api/v1/campaigns/${created.id}`, token);
      if (campaign.import.state === 'done' || campaign.import.state === 'failed') break;
      await sleep(100);
    }
    const seconds = (performance.now() - t0) / 1000;
    const workerCpu = cpuMs(pid) - cpu0;
    sampling = false;
    await Promise.all([memory, liveness]);
    const {
      rows: [stored],
    } = await db.query(`SELECT count(*)::int AS n FROM campaign_recipients WHERE campaign_id = $1`, [created.id]);
    if (campaign.import.state !== 'done' || stored.n !== ROWS)
      throw new Error(`import ${campaign.import.state}: ${stored.n} rows stored of ${ROWS}`);

    const f = (n, d = 1) => n.toFixed(d);
    const result = {
      rows: ROWS,
      fileMiB: file.length / 1024 / 1024,
      answeredSeconds,
      importSeconds: seconds,
      rowsPerSecond: ROWS / seconds,
      workerCpuMsPer1000Rows: (workerCpu / ROWS) * 1000,
      workerRssStartMiB: rssAtStart / 1024,
      workerPeakRssMiB: peakRss / 1024,
      liveP50Ms: percentile(latencies, 50),
      liveP99Ms: percentile(latencies, 99),
      liveMaxMs: Math.max(...latencies),
    };
    const print = (line) => process.stdout.write(`${line}\n`);
    print(`campaign import benchmark (${bench.database}; XLSX of ${ROWS} rows, ${f(result.fileMiB)} MiB, built in ${f(buildSeconds)} s)`);
    print(
      `  POST /api/v1/campaigns answered in ${f(answeredSeconds, 2)} s (import ${created.import.state}); all ${ROWS} rows stored after ${f(seconds)} s = ${f(result.rowsPerSecond, 0)} rows/s`,
    );
    print(
      `  worker: CPU ${f(result.workerCpuMsPer1000Rows)} ms per 1,000 rows; RSS ${f(result.workerRssStartMiB)} MiB at start, peak ${f(result.workerPeakRssMiB)} MiB`,
    );
    print(
      `  web /health/live during the import: p50 ${f(result.liveP50Ms)} ms, p99 ${f(result.liveP99Ms)} ms, max ${f(result.liveMaxMs)} ms (${latencies.length} probes)`,
    );
    print(`RESULT ${JSON.stringify(result)}`);
  } finally {
    await stopPecflow(web?.child);
    await stopPecflow(worker?.child);
    await db.end().catch(() => {});
    await bench.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
