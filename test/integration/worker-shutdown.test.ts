import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { QueueEvents } from 'bullmq';
import { CoreModule } from '../../src/app/core.module.js';
import { loadConfig } from '../../src/config/load-config.js';
import { HandlesJob } from '../../src/queue/job-handler.js';
import { JobQueues } from '../../src/queue/job-queues.js';
import { JobWorker } from '../../src/queue/job-worker.js';
import { QUEUE_NAMES } from '../../src/queue/queue-names.js';
import { TenantContext } from '../../src/db/tenant-context.js';
import { ensureMigrated } from '../support/migrate.js';

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

  it('finishes the job in hand before it shuts down, and runs tenant jobs inside their tenant', async () => {
    const config = loadConfig();
    const worker = await NestFactory.createApplicationContext(TestWorkerModule, { logger: false });
    worker.get(JobWorker).start();
    const queue = worker.get(JobQueues).get(QUEUE_NAMES.maintenance);
    const events = new QueueEvents(QUEUE_NAMES.maintenance, { connection: { url: config.REDIS_URL }, prefix: config.REDIS_PREFIX });
    await events.waitUntilReady();
    const job = await queue.add('test-slow', { tenant: { tenantId: '00000000-0000-0000-0000-000000000000', slug: 'demo' } });
    await new Promise<void>((resolve) => events.on('active', ({ jobId }) => jobId === job.id && resolve()));

    await worker.close();
    const closedAt = Date.now();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.tenant).toBe('demo');
    expect(seen[0]!.finishedAt).toBeLessThanOrEqual(closedAt);

    const producer = await NestFactory.createApplicationContext(CoreModule, { logger: false });
    const state = await (await producer.get(JobQueues).get(QUEUE_NAMES.maintenance).getJob(job.id!))?.getState();
    expect(state === 'completed' || state === undefined).toBe(true); // completed jobs may already be trimmed
    await events.close();
    await producer.close();
  });
});
