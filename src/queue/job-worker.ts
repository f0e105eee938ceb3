import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { Worker, type Job } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import { TenantContext } from '../db/tenant-context.js';
import { JOB_HANDLER, type JobHandlerFn, type JobHandlerMetadata } from './job-handler.js';
import type { QueueName } from './queue-names.js';
import { connectRedis } from './redis.module.js';

/** Jobs about one tenant's data carry its scope; the worker runs them inside it. */
export interface TenantJobData {
  tenant?: { tenantId: string; slug: string };
}

/**
 * The worker role: one BullMQ Worker per queue that has handlers, dispatching by job name to the
 * methods marked with @HandlesJob. Closing waits for the jobs in hand to finish (graceful shutdown).
 */
@Injectable()
export class JobWorker implements OnApplicationShutdown {
  private readonly logger = new Logger(JobWorker.name);
  private readonly workers: Worker[] = [];
  private readonly connections: ReturnType<typeof connectRedis>[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Every handler found in the application, by queue and job name. */
  handlers(): Map<QueueName, Map<string, JobHandlerFn>> {
    const byQueue = new Map<QueueName, Map<string, JobHandlerFn>>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = prototype[method];
        if (typeof fn !== 'function') continue;
        const meta = this.reflector.get<JobHandlerMetadata | undefined>(JOB_HANDLER, fn);
        if (!meta) continue;
        const names = byQueue.get(meta.queue) ?? new Map<string, JobHandlerFn>();
        if (names.has(meta.name)) throw new Error(`two handlers for job ${meta.queue}/${meta.name}`);
        names.set(meta.name, (job: Job) => (fn as JobHandlerFn).call(instance, job));
        byQueue.set(meta.queue, names);
      }
    }
    return byQueue;
  }

  start(): void {
    for (const [queue, names] of this.handlers()) {
      const connection = connectRedis(this.config);
      this.connections.push(connection);
      const worker = new Worker(
        queue,
        async (job: Job<TenantJobData>) => {
          const handler = names.get(job.name);
          if (!handler) throw new Error(`no handler for job ${queue}/${job.name}`);
          const scope = job.data.tenant;
          return scope ? TenantContext.run(scope, () => handler(job)) : handler(job);
        },
        { connection, prefix: this.config.REDIS_PREFIX, concurrency: 4 },
      );
      worker.on('failed', (job, error) => this.logger.warn(`job ${queue}/${job?.name ?? '?'} ${job?.id ?? ''} failed: ${error.message}`));
      this.workers.push(worker);
      this.logger.log(`worker listening on queue ${queue} for ${[...names.keys()].join(', ')}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
    await Promise.all(this.connections.map((connection) => connection.quit().catch(() => connection.disconnect())));
  }
}
