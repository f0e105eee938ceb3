import { Injectable } from '@nestjs/common';
import { TenantContext } from '../../db/tenant-context.js';
import { JobQueues } from '../../queue/job-queues.js';
import type { TenantJobData } from '../../queue/job-worker.js';
import { QUEUE_NAMES } from '../../queue/queue-names.js';

export const SEND_BATCHES_JOB = 'send-batches';
export const CLOSE_CHECK_JOB = 'close-check';

/**
 * Send chains per campaign. Two (one submitting while the other writes back and claims) measured worse
 * than one on the shared 2-core machine (614 vs 816 PEC/min, 2,000 recipients, load 11): a batch holds
 * its rows locked until its last PEC is answered, and interleaved batches hold them longer, so receipts
 * wait. The claim (SKIP LOCKED) would keep more chains apart, and the pace is shared.
 */
const CHAINS = 1;

export interface CampaignJobData extends TenantJobData {
  campaignId: string;
  /** Which chain of send jobs, and which link of it: each run ends by queuing the next one (ids stay unique). */
  chain?: string;
  link?: number;
}

/**
 * The queue only carries work, never state (decision 0026): a send job says "send this campaign's next
 * queued recipients", a close check "see whether the campaign is done". Losing or repeating one is
 * harmless — the recipients' rows say what is left — so every trigger (launch, resume, worker start, a
 * pace or breaker wait) just adds a job.
 */
@Injectable()
export class CampaignJobs {
  constructor(private readonly queues: JobQueues) {}

  /** Starts the campaign's send chains (launch, resume, worker start). */
  async start(campaignId: string): Promise<void> {
    for (let n = 0; n < CHAINS; n += 1)
      await this.send(campaignId, 0, { chain: `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`, link: 0 });
  }

  /** A link of a chain. */
  async send(campaignId: string, delayMs: number, { chain, link }: { chain: string; link: number }): Promise<void> {
    const data: CampaignJobData = { tenant: TenantContext.current(), campaignId, chain, link };
    await this.queues.get(QUEUE_NAMES.campaigns).add(SEND_BATCHES_JOB, data, {
      jobId: `send-${campaignId}-${chain}-${link}`,
      delay: Math.max(0, Math.round(delayMs)),
      attempts: 20,
      backoff: { type: 'exponential', delay: 2_000 },
      removeOnComplete: true,
      removeOnFail: 100,
    });
  }

  /** One pending check per campaign and due time: receipts arriving by the thousand add one job, not thousands. */
  async closeCheck(campaignId: string, delayMs = 1_000): Promise<void> {
    const due = Math.ceil((Date.now() + delayMs) / 1_000);
    const data: CampaignJobData = { tenant: TenantContext.current(), campaignId };
    await this.queues.get(QUEUE_NAMES.campaigns).add(CLOSE_CHECK_JOB, data, {
      jobId: `close-${campaignId}-${due}`,
      delay: Math.max(0, delayMs),
      removeOnComplete: true,
      removeOnFail: 100,
    });
  }
}
