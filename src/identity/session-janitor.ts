import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HandlesJob } from '../queue/job-handler.js';
import { JobQueues } from '../queue/job-queues.js';
import { QUEUE_NAMES } from '../queue/queue-names.js';

const PURGE_JOB = 'purge-expired-sessions';
/** Ended sessions and spent links are kept a while for support questions, then removed. */
const KEEP_DAYS = 30;

/**
 * Housekeeping across all tenants, so it works on the tables directly rather than through the
 * tenant-scoped repositories: it deletes only rows that are already dead, whoever owns them.
 */
@Injectable()
export class SessionJanitor {
  private readonly logger = new Logger(SessionJanitor.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: JobQueues,
  ) {}

  /** Registers the hourly purge; BullMQ keeps one schedule however many workers call this. */
  async schedule(): Promise<void> {
    await this.queues.get(QUEUE_NAMES.maintenance).upsertJobScheduler(PURGE_JOB, { every: 3_600_000 }, { name: PURGE_JOB });
  }

  @HandlesJob(QUEUE_NAMES.maintenance, PURGE_JOB)
  async purge(): Promise<{ sessions: number; resets: number }> {
    const cutoff = `now() - interval '${KEEP_DAYS} days'`;
    const [, sessions] = await this.dataSource.query<[unknown, number]>(
      `DELETE FROM sessions WHERE expires_at < ${cutoff} OR revoked_at < ${cutoff}`,
    );
    const [, resets] = await this.dataSource.query<[unknown, number]>(`DELETE FROM password_resets WHERE expires_at < ${cutoff}`);
    this.logger.log(`purged ${sessions} sessions and ${resets} reset links`);
    return { sessions, resets };
  }
}
