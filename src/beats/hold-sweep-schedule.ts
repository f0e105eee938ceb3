import type { AppConfig } from '../config/config.module.js';
import type { JobQueues } from '../queue/job-queues.js';
import { QUEUE_NAMES } from '../queue/queue-names.js';

/**
 * Registers the sweeps of holds left by dead work (decision 0029: StaleCallHolds, SendHoldSweep) on the
 * maintenance queue, every BEATS_HOLD_SWEEP_MS; BullMQ keeps one schedule however many workers call this.
 */
export async function scheduleHoldSweeps(queues: JobQueues, config: AppConfig, jobs: string[]): Promise<void> {
  for (const job of jobs)
    await queues.get(QUEUE_NAMES.maintenance).upsertJobScheduler(job, { every: config.BEATS_HOLD_SWEEP_MS }, { name: job });
}
