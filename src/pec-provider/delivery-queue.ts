import { createHash } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/config.module.js';
import { QUEUE_NAMES } from '../queue/queue-names.js';
import { connectRedis } from '../queue/redis.module.js';
import type { CertifiedMessage } from './certified-message.js';

/** One recipient of one accepted message: the unit of delivery and of the 12 h / 24 h timers. */
export interface RecipientJob {
  pecId: string;
  recipient: string;
}

export type JobKind = 'deliver' | 'preavviso' | 'final';

const HOUR_MS = 3_600_000;
/** Accepted messages are kept this long (real time) after the last timer could fire. */
const KEEP_SECONDS = 3 * 24 * 3600;

/**
 * The provider's durable state, in Redis: the accepted message (metadata, postacert.eml, busta)
 * plus, per recipient, which steps are done; and BullMQ delayed jobs for the busta delivery and
 * the 12 h / 24 h notices. Everything is written before the sender gets its 250, so a provider
 * killed at any point after that finishes the work when it comes back.
 */
export class DeliveryQueue {
  private readonly connection: Redis;
  private readonly queue: Queue<RecipientJob>;
  private worker: Worker<RecipientJob> | undefined;
  private workerConnection: Redis | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {
    this.connection = connectRedis(config);
    this.queue = new Queue<RecipientJob>(QUEUE_NAMES.pecProvider, {
      connection: this.connection,
      prefix: config.REDIS_PREFIX,
      defaultJobOptions: { attempts: 8, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: 1_000, removeOnFail: false },
    });
  }

  /** Stores the accepted message and schedules one delivery and two timeout jobs per recipient. */
  async accept(
    message: CertifiedMessage,
    postacert: Buffer,
    busta: Buffer,
    deliveries: { recipient: string; delayMs: number }[],
  ): Promise<void> {
    const key = this.messageKey(message.pecId);
    await this.redis
      .multi()
      .hset(key, { meta: JSON.stringify(message), postacert, busta })
      .expire(key, KEEP_SECONDS)
      .exec();
    const factor = this.config.PEC_PROVIDER_CLOCK_FACTOR;
    await this.queue.addBulk(
      deliveries.flatMap(({ recipient, delayMs }) => {
        const data = { pecId: message.pecId, recipient };
        return [
          { name: 'deliver', data, opts: { jobId: jobId('deliver', data), delay: delayMs } },
          { name: 'preavviso', data, opts: { jobId: jobId('preavviso', data), delay: Math.round((12 * HOUR_MS) / factor) } },
          { name: 'final', data, opts: { jobId: jobId('final', data), delay: Math.round((24 * HOUR_MS) / factor) } },
        ];
      }),
    );
  }

  async message(pecId: string): Promise<{ message: CertifiedMessage; postacert: Buffer; busta: Buffer } | undefined> {
    const [meta, postacert, busta] = await this.redis.hmgetBuffer(this.messageKey(pecId), 'meta', 'postacert', 'busta');
    if (!meta || !postacert || !busta) return undefined;
    return { message: JSON.parse(meta.toString('utf8')) as CertifiedMessage, postacert, busta };
  }

  /**
   * Runs `step` unless it is already recorded as done for this recipient, then records it. A
   * retried or re-run job (provider restart) skips what was done; only a crash between Dovecot's
   * answer and this record can repeat a step.
   */
  async once(job: RecipientJob, step: string, work: () => Promise<void>): Promise<boolean> {
    const key = this.stepsKey(job.pecId);
    const field = `${job.recipient}:${step}`;
    if (await this.redis.hexists(key, field)) return false;
    await work();
    await this.redis.multi().hset(key, field, new Date().toISOString()).expire(key, KEEP_SECONDS).exec();
    return true;
  }

  /** True once this recipient's outcome is settled (delivered, refused or timed out). */
  async settled(job: RecipientJob): Promise<boolean> {
    return (await this.redis.hexists(this.stepsKey(job.pecId), `${job.recipient}:outcome`)) === 1;
  }

  /**
   * Claims the recipient's outcome (delivered, no-dest, no-dominio, timeout) and returns the one
   * that holds: ours, or the one another run claimed first. Claiming before sending the receipt
   * means a late delivery and the 24 h notice never both speak, and a re-run finishes the receipt
   * of the outcome it finds.
   */
  async settle(job: RecipientJob, outcome: string): Promise<string> {
    const key = this.stepsKey(job.pecId);
    const field = `${job.recipient}:outcome`;
    const replies = await this.redis.multi().hsetnx(key, field, outcome).hget(key, field).expire(key, KEEP_SECONDS).exec();
    const current = replies?.[1]?.[1];
    return typeof current === 'string' ? current : outcome;
  }

  /** The timers have nothing left to say about a settled recipient. */
  async cancelTimers(job: RecipientJob): Promise<void> {
    await Promise.all((['preavviso', 'final'] as const).map((kind) => this.queue.remove(jobId(kind, job))));
  }

  start(handle: (kind: JobKind, job: RecipientJob) => Promise<void>, logger: Logger): void {
    this.workerConnection = connectRedis(this.config);
    this.worker = new Worker<RecipientJob>(QUEUE_NAMES.pecProvider, (job: Job<RecipientJob>) => handle(job.name as JobKind, job.data), {
      connection: this.workerConnection,
      prefix: this.config.REDIS_PREFIX,
      concurrency: 8,
      // A provider killed mid-job gets its job back within seconds of the restart, not the default 30 s.
      lockDuration: 10_000,
      stalledInterval: 5_000,
    });
    this.worker.on('error', (error) => logger.error(`PEC provider queue: ${error.message}`));
    this.worker.on('failed', (job, error) => logger.warn(`PEC provider job ${job?.name ?? '?'} failed (will retry): ${error.message}`));
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.workerConnection?.quit().catch(() => this.workerConnection?.disconnect());
    await this.queue.close();
    await this.connection.quit().catch(() => this.connection.disconnect());
  }

  private messageKey(pecId: string): string {
    return `${this.config.REDIS_PREFIX}:pec-provider:message:${pecId}`;
  }

  private stepsKey(pecId: string): string {
    return `${this.config.REDIS_PREFIX}:pec-provider:steps:${pecId}`;
  }
}

/** Deterministic job ids: adding the same work twice is a no-op, and timers can be cancelled by id. */
function jobId(kind: JobKind, job: RecipientJob): string {
  return `${kind}-${createHash('sha256').update(`${job.pecId}\n${job.recipient}`).digest('hex').slice(0, 40)}`;
}
