import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { ProblemException } from '../../api/problem.js';
import { TenantContext } from '../../db/tenant-context.js';
import { MessageCorrelation } from '../../process/message-correlation.js';
import { HandlesJob } from '../../queue/job-handler.js';
import { QUEUE_NAMES } from '../../queue/queue-names.js';
import { CampaignCharges } from './campaign-charges.js';
import { CampaignJobs, CLOSE_CHECK_JOB, type CampaignJobData } from './campaign-jobs.js';
import { returned } from './recipient-batches.js';

/** DM 2/11/2005 art. 9: a PEC without avvenuta consegna 24 h after it was sent has failed (mancata consegna). */
export const DELIVERY_LIMIT_MS = 24 * 3_600_000;

/** The message a lifecycle process waits on (business key `campaign:<id>`) once every recipient is final. */
export const CAMPAIGN_CLOSED_MESSAGE = 'campaign-closed';

/** States that still expect a receipt. */
const OPEN_STATES = ['queued', 'sending', 'sent', 'accepted', 'warned'];

/**
 * The end of a campaign: `sending` → `monitoring` once every recipient has an outcome (the rest of the
 * beats reservation goes back), `monitoring` → `closed` once every recipient is final or 24 h past its
 * send (those become `failed-timeout`); then the `campaign-closed` message is correlated to a process
 * waiting for it, if any, by every close check that finds the campaign closed, so a crash between the
 * status change and the message loses neither.
 */
@Injectable()
export class CampaignFinish {
  private readonly logger = new Logger(CampaignFinish.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly charges: CampaignCharges,
    private readonly jobs: CampaignJobs,
    private readonly correlation: MessageCorrelation,
  ) {}

  async monitor(campaignId: string): Promise<void> {
    const moved = await this.dataSource.transaction(async (manager) => {
      const [row] = returned<{ beats_reservation_id: string | null }>(
        await manager.query(
          `UPDATE campaigns SET status = 'monitoring', updated_at = now()
          WHERE tenant_id = $1 AND id = $2 AND status = 'sending' RETURNING beats_reservation_id`,
          [TenantContext.current().tenantId, campaignId],
        ),
      );
      if (!row) return false;
      await this.charges.releaseRest({ beatsReservationId: row.beats_reservation_id }, manager);
      return true;
    });
    if (!moved) return;
    await this.jobs.closeCheck(campaignId, 0);
    await this.jobs.closeCheck(campaignId, DELIVERY_LIMIT_MS + 60_000);
  }

  @HandlesJob(QUEUE_NAMES.campaigns, CLOSE_CHECK_JOB)
  async check(job: Job<CampaignJobData>): Promise<{ outcome: string }> {
    const tenantId = TenantContext.current().tenantId;
    const { campaignId } = job.data;
    const closed = await this.dataSource.transaction(async (manager) => {
      const [campaign] = await manager.query<{ created_by: string | null; status: string }[]>(
        `SELECT created_by, status FROM campaigns WHERE tenant_id = $1 AND id = $2 AND status IN ('monitoring', 'closed') FOR UPDATE`,
        [tenantId, campaignId],
      );
      if (!campaign) return null;
      // Closed by a run of this job that was killed before it announced it: BullMQ runs the job again,
      // and this run announces (the message's id makes a second announcement a no-op).
      if (campaign.status === 'closed') return campaign;
      await manager.query(
        `UPDATE campaign_recipients SET state = 'failed-timeout', failed_at = now(), error_code = 'timeout', updated_at = now()
          WHERE tenant_id = $1 AND campaign_id = $2 AND state = ANY($3::text[]) AND sent_at < now() - make_interval(secs => $4::float / 1000)`,
        [tenantId, campaignId, OPEN_STATES, DELIVERY_LIMIT_MS],
      );
      const [open] = await manager.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM campaign_recipients WHERE tenant_id = $1 AND campaign_id = $2 AND state = ANY($3::text[])`,
        [tenantId, campaignId, OPEN_STATES],
      );
      if (open!.n > 0) return null;
      await manager.query(
        `UPDATE campaigns SET status = 'closed', closed_at = now(), updated_at = now() WHERE tenant_id = $1 AND id = $2`,
        [tenantId, campaignId],
      );
      return campaign;
    });
    if (!closed) return { outcome: 'open' };
    await this.announce(campaignId, closed.created_by);
    return { outcome: 'closed' };
  }

  /** Tells a waiting lifecycle process, on behalf of the campaign's author; nobody waiting is fine. */
  private async announce(campaignId: string, authorId: string | null): Promise<void> {
    const [author] = authorId
      ? await this.dataSource.query<{ email: string }[]>(`SELECT email FROM users WHERE tenant_id = $1 AND id = $2`, [
          TenantContext.current().tenantId,
          authorId,
        ])
      : [];
    const principal = { userId: authorId ?? '', email: author?.email ?? 'system', grants: [], roles: [] };
    const message = {
      messageName: CAMPAIGN_CLOSED_MESSAGE,
      businessKey: `campaign:${campaignId}`,
      variables: {},
      messageId: `campaign-closed:${campaignId}`,
    };
    try {
      await this.correlation.correlate(message, principal);
    } catch (error) {
      if (error instanceof ProblemException && error.getStatus() === 404) return;
      throw error;
    }
    this.logger.log(`campaign ${campaignId} closed; ${CAMPAIGN_CLOSED_MESSAGE} correlated`);
  }
}
