// Mailbox pace benchmark (decision 0025): reservations per second that Redis gives 4 concurrent
// clients (separate processes, as workers are), and how evenly the sends of 4 such clients on one
// mailbox come out: the slots' spacing, and the instants the clients act on them (timer lateness).
// Needs `npm run build` first and Redis (scripts/services.sh). Usage: node bench/pacing.mjs
// (npm run bench:pacing); BENCH_SECONDS (default 5) per throughput run, BENCH_PER_MINUTE (default 1200)
// and BENCH_SENDS (default 200) for the accuracy run. Keys go under a prefix of its own, deleted at the end.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIST = path.join(ROOT, 'dist');
const CLIENTS = 4;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const PER_MINUTE = Number(process.env.BENCH_PER_MINUTE ?? 1200);
const SENDS = Number(process.env.BENCH_SENDS ?? 200);

if (!existsSync(path.join(DIST, 'pacing/mailbox-pace.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(1);
}
const { loadConfig } = await import(path.join(DIST, 'config/load-config.js'));
const { connectRedis } = await import(path.join(DIST, 'queue/redis.module.js'));
const { MailboxPace, spacingMs } = await import(path.join(DIST, 'pacing/mailbox-pace.js'));

const [, , role, ...args] = process.argv;
if (role === 'client') await client(JSON.parse(args[0]));
else await main();

/** One worker-like client: its own process and Redis connection. */
async function client({ prefix, mode, mailbox, seconds, inFlight, sends }) {
  const config = loadConfig({ ...process.env, REDIS_PREFIX: prefix });
  const redis = connectRedis(config);
  const pace = new MailboxPace(redis, config);
  await redis.ping();
  process.send({ ready: true });
  await new Promise((resolve) => process.once('message', resolve));
  if (mode === 'rate') {
    let count = 0;
    const until = Date.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (Date.now() < until) {
          await pace.reserve(mailbox, 1);
          count += 1;
        }
      }),
    );
    process.send({ count });
  } else {
    // A worker reserving its next send, then acting on it when its slot comes.
    const sent = [];
    for (let n = 0; n < sends; n += 1) {
      const { at } = await pace.reserve(mailbox, 1);
      const wait = at.getTime() - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      sent.push({ slot: at.getTime(), fired: Date.now() });
    }
    process.send({ sent });
  }
  await redis.quit();
}

/** Starts the clients together (after they have connected) and collects their reports. */
async function run(task) {
  const children = Array.from({ length: CLIENTS }, () =>
    fork(import.meta.filename, ['client', JSON.stringify(task)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  const exited = children.map((child) => new Promise((resolve) => child.once('exit', resolve)));
  await Promise.all(children.map((child) => new Promise((resolve) => child.once('message', resolve))));
  const reports = children.map((child) => new Promise((resolve) => child.once('message', resolve)));
  for (const child of children) child.send('go');
  const results = await Promise.all(reports);
  await Promise.all(exited);
  return results;
}

const print = (line) => process.stdout.write(`${line}\n`);

async function main() {
  const prefix = `pecflow-bench-pacing-${randomUUID().slice(0, 8)}`;
  print(`mailbox pace benchmark: ${CLIENTS} client processes, load average ${loadavg()[0].toFixed(1)} on this machine`);

  for (const inFlight of [1, 16]) {
    const mailbox = { id: randomUUID(), perMinute: 100_000, perDay: 100_000_000 };
    const reports = await run({ prefix, mode: 'rate', mailbox, seconds: SECONDS, inFlight });
    const total = reports.reduce((sum, report) => sum + report.count, 0);
    print(
      `throughput, ${inFlight} in flight per client: ${Math.round(total / SECONDS)} reservations/s (${total} in ${SECONDS} s, one mailbox)`,
    );
  }

  const spacing = spacingMs(PER_MINUTE);
  const mailbox = { id: randomUUID(), perMinute: PER_MINUTE, perDay: 100_000_000 };
  const reports = await run({ prefix, mode: 'pace', mailbox, sends: Math.ceil(SENDS / CLIENTS) });
  const sent = reports.flatMap((report) => report.sent).sort((a, b) => a.slot - b.slot);
  const slotGaps = sent.slice(1).map((send, n) => send.slot - sent[n].slot);
  const fired = sent.map((send) => send.fired).sort((a, b) => a - b);
  const firedGaps = fired.slice(1).map((at, n) => at - fired[n]);
  const lateness = sent.map((send) => send.fired - send.slot).sort((a, b) => a - b);
  const perSecond = Math.max(...fired.map((at) => fired.filter((other) => other >= at && other < at + 1000).length));
  const deviation = (gaps) => Math.max(...gaps.map((gap) => Math.abs(gap - spacing)));
  print(`accuracy, ${sent.length} sends of ${CLIENTS} clients on one ${PER_MINUTE}/min mailbox (ideal spacing ${spacing} ms):`);
  print(`  slots: spacing min ${Math.min(...slotGaps)} ms, max ${Math.max(...slotGaps)} ms, max deviation ${deviation(slotGaps)} ms`);
  print(
    `  acted on: spacing min ${Math.min(...firedGaps)} ms, max deviation from ideal ${deviation(firedGaps)} ms; ` +
      `lateness after the slot p50 ${lateness[Math.floor(lateness.length / 2)]} ms, p99 ${lateness[Math.floor(lateness.length * 0.99)]} ms, max ${lateness.at(-1)} ms`,
  );
  print(
    `  busiest second: ${perSecond} sends (profile: ${PER_MINUTE / 60}/s); total time ${((fired.at(-1) - fired[0]) / 1000).toFixed(2)} s`,
  );

  const config = loadConfig({ ...process.env, REDIS_PREFIX: prefix });
  const redis = connectRedis(config);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
}
