import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { CoreModule } from '../../src/app/core.module.js';
import { loadConfig } from '../../src/config/load-config.js';
import { HandlesJob } from '../../src/queue/job-handler.js';
import { JobQueues } from '../../src/queue/job-queues.js';
import { JobWorker } from '../../src/queue/job-worker.js';
import { QUEUE_NAMES } from '../../src/queue/queue-names.js';
import { TenantContext } from '../../src/db/tenant-context.js';
import { eventually } from '../support/eventually.js';
import { ensureMigrated } from '../support/migrate.js';

// A Redis prefix of its own: no other worker of this test run (an app another suite left running in
// this process, a spawned role) can take its job, which it could not run (CI saw this test wait for
// a job that never became its own).
process.env.REDIS_PREFIX = `${process.env.REDIS_PREFIX ?? 'pecflow-test'}-worker-shutdown`;

const seen: { tenant?: string; finishedAt?: number }[] = [];

@Injectable()
class SlowHousekeeping {
  @HandlesJob(QUEUE_NAMES.maintenance, 'test-slow')
  async run(): Promise<void> {
    const entry: (typeof seen)[number] = { tenant: TenantContext.optional()?.slug };
    seen.push(entry);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    entry.finishedAt = Date.now();
  }
}

@Module({ imports: [CoreModule], providers: [SlowHousekeeping] })
class TestWorkerModule {}

describe('worker role', () => {
  beforeAll(ensureMigrated);

  afterAll(async () => {
    const config = loadConfig();
    const redis = new Redis(config.REDIS_URL);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.REDIS_PREFIX}:*`, 'COUNT', 500);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  });

  it('finishes the job in hand before it shuts down, and runs tenant jobs inside their tenant', async () => {
    const worker = await NestFactory.createApplicationContext(TestWorkerModule, { logger: false });
    worker.get(JobWorker).start();
    const queue = worker.get(JobQueues).get(QUEUE_NAMES.maintenance);
    const job = await queue.add('test-slow', { tenant: { tenantId: '00000000-0000-0000-0000-000000000000', slug: 'demo' } });
    // The job is in hand once its handler has started.
    await eventually(() => Promise.resolve(seen.length === 1));

    await worker.close();
    const closedAt = Date.now();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.tenant).toBe('demo');
    expect(seen[0]!.finishedAt).toBeLessThanOrEqual(closedAt);

    const producer = await NestFactory.createApplicationContext(CoreModule, { logger: false });
    const state = await (await producer.get(JobQueues).get(QUEUE_NAMES.maintenance).getJob(job.id!))?.getState();
    expect(state === 'completed' || state === undefined).toBe(true); // completed jobs may already be trimmed
    await producer.close();
  });
});
