import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ProblemException } from '../../api/problem.js';
import { ActivityLog, type ActivityActor } from '../../audit/activity-log.js';
import { BeatsBalances } from '../../beats/beats-balance.js';
import { BeatsExhausted } from '../../beats/beats-exhausted.js';
import { BeatsLedger } from '../../beats/beats-ledger.js';
import { TenantContext } from '../../db/tenant-context.js';
import type { Locale } from '../../i18n/locale.js';
import { translate } from '../../i18n/translate.js';
import type { CampaignStatus } from '../campaign-states.js';
import type { Campaign } from '../campaign.entities.js';
import { CampaignRepository } from '../campaign.repository.js';
import { CampaignCharges } from './campaign-charges.js';
import { CampaignJobs } from './campaign-jobs.js';

/** States a campaign may be launched from: before sending (the approval process launches from its own). */
/** Only the approval process launches (campaign.launch, once approved and due); before that the lifecycle cancels. */
const LAUNCHABLE: readonly CampaignStatus[] = ['scheduled'];
const CANCELLABLE: readonly CampaignStatus[] = ['sending', 'paused'];

export interface SendingAnswer {
  id: string;
  status: CampaignStatus;
}

/**
 * Launching, pausing, resuming and cancelling a campaign's sending (issue #7 item 5, decision 0026).
 * Each is one transaction on the campaign row (locked, so two requests cannot both launch or resume),
 * followed by queuing work; the work itself reads the rows, so a lost job changes nothing but timing.
 * The tenant is the context's: the API and the approval process (a plug) call the same methods.
 */
@Injectable()
export class CampaignSending {
  private readonly logger = new Logger(CampaignSending.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly campaigns: CampaignRepository,
    private readonly ledger: BeatsLedger,
    private readonly balances: BeatsBalances,
    private readonly charges: CampaignCharges,
    private readonly jobs: CampaignJobs,
    private readonly activity: ActivityLog,
  ) {}

  /**
   * Starts sending: the import must be done; the beats of every valid recipient are reserved (refused
   * at once with BeatsExhausted → 402, and then nothing changed); the campaign becomes `sending` with
   * `started_at`, its recipients' `queued_at` is stamped, and the first send job is queued.
   */
  async launch(campaignId: string, by: ActivityActor = 'system', locale: Locale = 'it'): Promise<SendingAnswer> {
    const campaign = await this.dataSource.transaction(async (manager) => {
      const locked = await this.locked(manager, campaignId, LAUNCHABLE, 'start', locale);
      if (locked.importState !== 'done') throw new ProblemException(409, 'conflict', translate(locale, 'campaigns.error.importNotDone'));
      const beats = locked.recipientsTotal * locked.beatsPerRecipient;
      const reservationId = beats > 0 ? await this.reserve(manager, locked, beats) : null;
      await manager.query(
        `UPDATE campaign_recipients SET queued_at = coalesce(queued_at, now()) WHERE tenant_id = $1 AND campaign_id = $2 AND state = 'queued'`,
        [TenantContext.current().tenantId, campaignId],
      );
      await this.campaigns
        .within(manager)
        .update({ id: campaignId }, { status: 'sending', startedAt: new Date(), beatsReservationId: reservationId, updatedAt: new Date() });
      return { ...locked, beatsReservationId: reservationId };
    });
    await this.activity.record({
      action: 'campaign.launched',
      actor: by,
      resource: { type: 'campaign', id: campaignId },
      details: { recipients: campaign.recipientsTotal, beatsReserved: campaign.recipientsTotal * campaign.beatsPerRecipient },
    });
    await this.jobs.start(campaignId);
    this.logger.log(`campaign ${campaignId} launched: ${campaign.recipientsTotal} recipients`);
    return { id: campaignId, status: 'sending' };
  }

  /** Stops new sends at once: the next batch's claim sees the status and takes nothing. */
  async pause(campaignId: string, by: ActivityActor, locale: Locale): Promise<SendingAnswer> {
    return this.move(campaignId, ['sending'], 'paused', 'pause', by, locale);
  }

  /** Sends on from the first recipient still queued, in file order: none skipped, none sent again. */
  async resume(campaignId: string, by: ActivityActor, locale: Locale): Promise<SendingAnswer> {
    const answer = await this.move(campaignId, ['paused'], 'sending', 'resume', by, locale);
    await this.jobs.start(campaignId);
    return answer;
  }

  /** Stops for good; what the reservation still holds goes back (recipients already sent stay charged). */
  async cancel(campaignId: string, by: ActivityActor, locale: Locale): Promise<SendingAnswer> {
    return this.move(campaignId, CANCELLABLE, 'cancelled', 'cancel', by, locale, (manager, campaign) =>
      this.charges.releaseRest(campaign, manager),
    );
  }

  private async move(
    campaignId: string,
    from: readonly CampaignStatus[],
    to: CampaignStatus,
    action: string,
    by: ActivityActor,
    locale: Locale,
    also?: (manager: EntityManager, campaign: Campaign) => Promise<void>,
  ): Promise<SendingAnswer> {
    await this.dataSource.transaction(async (manager) => {
      const campaign = await this.locked(manager, campaignId, from, action, locale);
      await this.campaigns.within(manager).update({ id: campaignId }, { status: to, updatedAt: new Date() });
      await also?.(manager, campaign);
    });
    await this.activity.record({
      action: `campaign.${action === 'cancel' ? 'cancelled' : `${action}d`}`,
      actor: by,
      resource: { type: 'campaign', id: campaignId },
    });
    return { id: campaignId, status: to };
  }

  /** The campaign row, locked for the transition; 409 when its status does not allow it. */
  private async locked(
    manager: EntityManager,
    id: string,
    from: readonly CampaignStatus[],
    action: string,
    locale: Locale,
  ): Promise<Campaign> {
    const campaign = await this.campaigns.within(manager).query('c').andWhere('c.id = :id', { id }).setLock('pessimistic_write').getOne();
    if (!campaign) throw new ProblemException(404, 'not-found');
    if (!from.includes(campaign.status))
      throw new ProblemException(
        409,
        'conflict',
        translate(locale, 'campaigns.error.wrongState', {
          action: translate(locale, `campaigns.action.${action}` as 'campaigns.action.start'),
          status: translate(locale, `campaigns.status.${campaign.status}`),
        }),
      );
    return campaign;
  }

  private async reserve(manager: EntityManager, campaign: Campaign, beats: number): Promise<string> {
    const outcome = await this.ledger.reserve(
      `campaign:${campaign.id}`,
      beats,
      {
        plug: 'pec.send',
        units: campaign.recipientsTotal,
        userId: campaign.createdBy,
        campaignId: campaign.id,
        subject: { type: 'campaign', id: campaign.id },
      },
      manager,
    );
    if (outcome.outcome === 'insufficient') {
      const { available } = await this.balances.current();
      throw new BeatsExhausted('pec.send', beats, Math.max(available, 0), outcome.shortfall);
    }
    // `charged` answers only a reserve made `unlessCharged` by a debit key, which a campaign's is not.
    if (outcome.outcome === 'charged') throw new Error(`campaign ${campaign.id}: reservation answered as charged`);
    return outcome.reservationId;
  }
}
