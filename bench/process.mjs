// Process-instance benchmark: starts, claim + complete latency, memory per idle instance and the CPU
// that pecflow's own process spends per instance started (design.md §7).
// It spawns `node dist/main.js all` on a free port with a fresh database of its own, and drops the
// database at the end. Needs `npm run build` first, PostgreSQL and Redis (scripts/services.sh).
// Usage: node bench/process.mjs   (npm run bench:process); LOG_LEVEL of the server: warn unless set;
// BENCH_CONCURRENCY (default 8), BENCH_SERVER_NODE_ARGS (node flags for the server), BENCH_STARTS (default 500).
import http from 'node:http';
import {
  backendCpuMs,
  backendCpuSpent,
  benchDatabase,
  cpuMs,
  percentile,
  requireBuild,
  rssKiB,
  sleep,
  startPecflow,
  stopPecflow,
} from './support.mjs';

const HOST = 'demo.localhost';
const PASSWORD = 'pecflow-demo';
const STARTS = Number(process.env.BENCH_STARTS ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const CLAIMS = 200;
// e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server (NODE_OPTIONS refuses --cpu-prof).
const SERVER_NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const IDLE = 2000;
const KEY = 'bench-process';

const BPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_bench" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${KEY}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
    <bpmn:userTask id="Esamina" name="Esamina la PEC" camunda:candidateGroups="role:operator" />
    <bpmn:endEvent id="EndEvent_1" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Esamina" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Esamina" targetRef="EndEvent_1" />
  </bpmn:process>
</bpmn:definitions>
`;

requireBuild();
const bench = benchDatabase();
const { database, env } = bench;

/** Runs `count` calls of `work(i)` with `concurrency` in flight. */
async function pool(count, concurrency, work) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

let server;
let base;

// fetch() will not send a Host header of our choosing, so plain node:http over keep-alive sockets.
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function send(method, pathname, headers, payload) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${pathname}`, { method, agent, headers: { Host: HOST, ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function api(method, pathname, token, body) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers = { ...(payload ? { 'Content-Type': 'application/json' } : {}), ...(token ? { Authorization: `Bearer ${token}` } : {}) };
  const res = await send(method, pathname, headers, payload);
  if (res.status >= 300) throw new Error(`${method} ${pathname}: ${res.status} ${res.text}`);
  return res.text ? JSON.parse(res.text) : null;
}

async function signIn(email) {
  return (await api('POST', '/api/v1/auth/token', undefined, { email, password: PASSWORD })).accessToken;
}

async function main() {
  const db = bench.client();
  try {
    await bench.seed();

    ({ child: server, base } = await startPecflow({ ...env }, 'all', SERVER_NODE_ARGS));
    const pid = server.pid;
    await db.connect();

    const admin = await signIn('admin@demo.test');
    const operator = await signIn('operator@demo.test');
    const boundary = `----bench${Date.now()}`;
    const multipart = [
      `--${boundary}`,
      `Content-Disposition: form-data; name="file"; filename="${KEY}.bpmn"`,
      'Content-Type: application/xml',
      '',
      BPMN,
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const deployed = await send(
      'POST',
      '/api/v1/process-definitions',
      { Authorization: `Bearer ${admin}`, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      multipart,
    );
    if (deployed.status !== 201) throw new Error(`deploy: ${deployed.status} ${deployed.text}`);

    const start = async (i) => {
      const answer = await api('POST', '/api/v1/process-instances', admin, {
        definitionKey: KEY,
        businessKey: `b-${i}`,
        variables: { n: i },
      });
      if (answer.status !== 'waiting') throw new Error(`instance ${answer.id} is ${answer.status}, not waiting`);
      return answer.id;
    };

    // Warm-up: JIT, connection pools, the definition's parse cache if any.
    await pool(100, CONCURRENCY, (i) => start(`w${i}`));

    // (a) starts per second, and CPU of pecflow's process per start.
    const cpu0 = cpuMs(pid);
    const db0 = await backendCpuMs(db);
    const t0 = performance.now();
    await pool(STARTS, CONCURRENCY, (i) => start(`a${i}`));
    const seconds = (performance.now() - t0) / 1000;
    const cpuPerStart = (cpuMs(pid) - cpu0) / STARTS;
    const dbCpuPerStart = backendCpuSpent(db0, await backendCpuMs(db)) / STARTS;
    const rate = STARTS / seconds;

    // (b) claim and complete latency, one at a time, on tasks of the instances just started.
    const { rows: tasks } = await db.query(
      `SELECT t.id FROM tasks t JOIN process_instances i ON i.id = t.instance_id
       WHERE t.state = 'open' AND i.business_key LIKE 'b-a%' ORDER BY t.created_at LIMIT $1`,
      [CLAIMS],
    );
    const claims = [];
    const completes = [];
    const cpu1 = cpuMs(pid);
    for (const { id } of tasks) {
      let t = performance.now();
      await api('POST', `/api/v1/tasks/${id}/claim`, operator);
      claims.push(performance.now() - t);
      t = performance.now();
      const done = await api('POST', `/api/v1/tasks/${id}/complete`, operator, { data: {} });
      completes.push(performance.now() - t);
      if (done.processInstance.status !== 'completed') throw new Error(`task ${id}: instance ${done.processInstance.status}`);
    }
    const cpuPerClaimComplete = (cpuMs(pid) - cpu1) / tasks.length;

    // (c) memory per idle instance: RSS before/after 2,000 more waiting instances, and the saved state's size.
    await sleep(2000);
    const rss0 = rssKiB(pid);
    await pool(IDLE, CONCURRENCY, (i) => start(`c${i}`));
    await sleep(2000);
    const rss1 = rssKiB(pid);
    const {
      rows: [size],
    } = await db.query(
      `SELECT avg(pg_column_size(state))::int AS state, avg(pg_column_size(i.*))::int AS row, count(*)::int AS n
       FROM process_instances i WHERE status = 'waiting'`,
    );

    const result = {
      startsPerSecond: rate,
      cpuMsPerStart: cpuPerStart,
      postgresCpuMsPerStart: dbCpuPerStart,
      claimP50: percentile(claims, 50),
      claimP95: percentile(claims, 95),
      completeP50: percentile(completes, 50),
      completeP95: percentile(completes, 95),
      cpuMsPerClaimComplete: cpuPerClaimComplete,
      rssBeforeMiB: rss0 / 1024,
      rssAfterMiB: rss1 / 1024,
      rssPerIdleInstanceKiB: (rss1 - rss0) / IDLE,
      stateBytes: size.state,
      rowBytes: size.row,
    };
    const f = (n, d = 1) => n.toFixed(d);
    const print = (line) => process.stdout.write(`${line}\n`);
    print(`process benchmark (${database}, server LOG_LEVEL=${env.LOG_LEVEL}, ${CONCURRENCY} concurrent keep-alive requests)`);
    print(
      `  (a) starts to a waiting user task: ${f(rate)}/s over ${STARTS}; pecflow CPU ${f(cpuPerStart, 2)} ms per start, its PostgreSQL backends ${f(dbCpuPerStart, 2)} ms`,
    );
    print(
      `  (b) claim p50 ${f(result.claimP50)} ms p95 ${f(result.claimP95)} ms; complete p50 ${f(result.completeP50)} ms p95 ${f(result.completeP95)} ms (${tasks.length}, sequential); pecflow CPU ${f(cpuPerClaimComplete, 2)} ms per claim+complete`,
    );
    print(
      `  (c) RSS ${f(result.rssBeforeMiB)} → ${f(result.rssAfterMiB)} MiB after ${IDLE} more waiting instances (${f(result.rssPerIdleInstanceKiB, 2)} KiB each); saved state avg ${size.state} B, row avg ${size.row} B (${size.n} waiting rows)`,
    );
    print(`RESULT ${JSON.stringify(result)}`);
  } finally {
    await stopPecflow(server);
    agent.destroy();
    await db.end().catch(() => {});
    await bench.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
