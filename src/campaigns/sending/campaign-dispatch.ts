import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { TenantContext } from '../../db/tenant-context.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.module.js';
import type { Mailbox } from '../../mailboxes/mailbox.entity.js';
import { MailboxRepository } from '../../mailboxes/mailbox.repository.js';
import { MailboxBreaker, type BreakerTicket, type ProviderSignal } from '../../pacing/mailbox-breaker.js';
import { MailboxPace, spacingMs } from '../../pacing/mailbox-pace.js';
import { MailboxTransports } from '../../pec/sending/mailbox-transports.js';
import { classifySmtpFailure } from '../../pec/sending/smtp-outcome.js';
import { HandlesJob } from '../../queue/job-handler.js';
import { QUEUE_NAMES } from '../../queue/queue-names.js';
import type { Campaign } from '../campaign.entities.js';
import { CampaignRepository } from '../campaign.repository.js';
import { CampaignCharges } from './campaign-charges.js';
import { CampaignComposer, type CampaignMessages, type Composed } from './campaign-composer.js';
import { CampaignFinish } from './campaign-finish.js';
import { CampaignJobs, SEND_BATCHES_JOB, type CampaignJobData } from './campaign-jobs.js';
import { RecipientBatches, type ClaimedRecipient, type SubmissionOutcome } from './recipient-batches.js';

/** A batch covers about this much of the mailbox's pace: a pause stops sends within it. */
const BATCH_WINDOW_MS = 1_000;
const MAX_BATCH = 50;
/** One job sends for about this long, then queues the next link: the worker's slot is shared with imports and checks. */
const CHUNK_MS = 20_000;
/** A slot further away than this is waited for by a delayed job, not in the worker. */
const WAIT_IN_JOB_MS = 5_000;

type Step = { next: 'continue' } | { next: 'stop' } | { next: 'later'; delayMs: number };

const SIGNAL_WEIGHT: Record<ProviderSignal, number> = { answered: 0, unreachable: 1, 'slow-down': 2 };

/**
 * The campaign sender (issue #7 item 5, decision 0026): batches of queued recipients, in file order,
 * at the mailbox's pace (MailboxPace, one reservation per batch, sends spread evenly across it) and
 * under its circuit breaker (one admission and one report per batch). Each batch: claim (attempts
 * recorded BEFORE any SMTP call) → compose → submit through the mailbox's pooled transport → write
 * the outcomes back and charge the sent in one round trip each. A worker killed anywhere leaves rows
 * `queued` (sent later) or `sending` (resent only when no receipt came within CAMPAIGN_RESEND_AFTER_MS).
 */
@Injectable()
export class CampaignDispatch {
  private readonly logger = new Logger(CampaignDispatch.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly campaigns: CampaignRepository,
    private readonly mailboxes: MailboxRepository,
    private readonly batches: RecipientBatches,
    private readonly composer: CampaignComposer,
    private readonly transports: MailboxTransports,
    private readonly pace: MailboxPace,
    private readonly breaker: MailboxBreaker,
    private readonly charges: CampaignCharges,
    private readonly finish: CampaignFinish,
    private readonly jobs: CampaignJobs,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * At worker start: every campaign `sending` gets a send job and every one `monitoring` a close
   * check (Redis may have lost them; a worker killed mid-job leaves its job to BullMQ's stall check,
   * which takes longer). Extra jobs are harmless: the claim lets one worker take each row.
   */
  async rederive(): Promise<number> {
    const rows = await this.dataSource.query<{ id: string; tenant_id: string; slug: string; status: string }[]>(
      `SELECT c.id, c.tenant_id, t.slug, c.status FROM campaigns c JOIN tenants t ON t.id = c.tenant_id
        WHERE c.status IN ('sending', 'monitoring')`,
    );
    for (const row of rows)
      await TenantContext.run({ tenantId: row.tenant_id, slug: row.slug }, () =>
        row.status === 'sending' ? this.jobs.start(row.id) : this.jobs.closeCheck(row.id, 0),
      );
    if (rows.length > 0) this.logger.log(`re-derived the jobs of ${rows.length} campaigns`);
    return rows.length;
  }

  @HandlesJob(QUEUE_NAMES.campaigns, SEND_BATCHES_JOB)
  async run(job: Job<CampaignJobData>): Promise<{ outcome: string }> {
    const { campaignId } = job.data;
    const campaign = await this.campaigns.findOne({ id: campaignId });
    if (campaign?.status !== 'sending') return { outcome: 'not-sending' };
    const mailbox = await this.mailboxes.findOne({ id: campaign.mailboxId });
    if (!mailbox) return { outcome: 'no-mailbox' };
    await this.batches.requeueUnanswered(campaignId, this.config.CAMPAIGN_RESEND_AFTER_MS);
    const messages = await this.composer.prepare(campaign, mailbox);
    const until = Date.now() + CHUNK_MS;
    const next = { chain: job.data.chain ?? String(job.id), link: (job.data.link ?? 0) + 1 };
    for (;;) {
      const step = await this.batch(campaign, mailbox, messages);
      if (step.next === 'stop') return { outcome: 'stopped' };
      if (step.next === 'later') {
        await this.jobs.send(campaignId, step.delayMs, next);
        return { outcome: 'later' };
      }
      if (Date.now() > until) {
        await this.jobs.send(campaignId, 0, next);
        return { outcome: 'continued' };
      }
    }
  }

  private async batch(campaign: Campaign, mailbox: Mailbox, messages: CampaignMessages): Promise<Step> {
    const spacing = spacingMs(mailbox.perMinute);
    const size = Math.min(MAX_BATCH, Math.max(1, Math.floor(BATCH_WINDOW_MS / spacing)));
    const reservation = await this.pace.reserve(mailbox, size);
    if (reservation.refused) return { next: 'later', delayMs: reservation.retryAt.getTime() - Date.now() };
    const wait = reservation.at.getTime() - Date.now();
    if (wait > WAIT_IN_JOB_MS) return { next: 'later', delayMs: wait };
    await sleep(wait);
    const admission = await this.breaker.admit(mailbox.id);
    if (!admission.go) return { next: 'later', delayMs: admission.until.getTime() - Date.now() };
    const claimed = await this.batches.claim(campaign.id, size);
    if (claimed.length === 0) return this.drained(campaign);
    const outcomes = await this.batches.holding(
      claimed.map((recipient) => recipient.id),
      async (manager) => {
        const submitted = await Promise.all(
          claimed.map((recipient, index) => this.submit(mailbox, messages, recipient, reservation.at.getTime() + index * spacing)),
        );
        await this.charges.charge(
          campaign,
          await this.batches.record(
            manager,
            submitted.map((o) => o.outcome),
          ),
          manager,
        );
        return submitted;
      },
    );
    return this.reported(mailbox, admission.ticket, outcomes);
  }

  /** One recipient's PEC at its slot: composed, size-checked, submitted; never throws (the outcome says). */
  private async submit(
    mailbox: Mailbox,
    messages: CampaignMessages,
    recipient: ClaimedRecipient,
    slot: number,
  ): Promise<{ outcome: SubmissionOutcome; signal: ProviderSignal | null }> {
    let composed: Composed;
    try {
      composed = await messages.compose(recipient);
    } catch (error) {
      // A row the templates cannot render (strict Handlebars) or whose attachment is gone: never sendable.
      const text = error instanceof Error ? error.message : String(error);
      return { outcome: { id: recipient.id, outcome: 'failed', code: 'compose', text }, signal: null };
    }
    if (composed.tooLarge) {
      const { bytes, limit } = composed.tooLarge;
      return { outcome: { id: recipient.id, outcome: 'failed', code: 'too-large', text: `${bytes} > ${limit} bytes` }, signal: null };
    }
    await sleep(slot - Date.now());
    try {
      await this.transports.for(mailbox).sendMail({ envelope: { from: mailbox.address, to: [recipient.address] }, raw: composed.raw });
      return { outcome: { id: recipient.id, outcome: 'sent', at: new Date() }, signal: 'answered' };
    } catch (error) {
      const failure = classifySmtpFailure(error);
      this.logger.warn(`campaign recipient ${recipient.id} submission failed (${failure.outcome}): ${failure.reply}`);
      if (failure.outcome === 'refused')
        return {
          outcome: { id: recipient.id, outcome: 'failed', code: smtpCode(failure.reply), text: failure.reply },
          signal: failure.signal,
        };
      return { outcome: { id: recipient.id, outcome: failure.outcome === 'throttled' ? 'retry' : 'unknown' }, signal: failure.signal };
    }
  }

  /**
   * The batch's word to the breaker (its worst signal: one throttle is enough to slow the mailbox
   * down), and whether to go on: a throttled batch waits for the breaker, or for the retry delay.
   */
  private async reported(
    mailbox: Mailbox,
    ticket: BreakerTicket,
    outcomes: { outcome: SubmissionOutcome; signal: ProviderSignal | null }[],
  ): Promise<Step> {
    const signals = outcomes.map((o) => o.signal).filter((s): s is ProviderSignal => s !== null);
    if (signals.length === 0) return { next: 'continue' };
    const worst = signals.reduce((a, b) => (SIGNAL_WEIGHT[b] > SIGNAL_WEIGHT[a] ? b : a));
    const openUntil = await this.breaker.report(mailbox.id, ticket, worst);
    if (openUntil) return { next: 'later', delayMs: openUntil.getTime() - Date.now() };
    if (outcomes.some((o) => o.outcome.outcome === 'retry')) return { next: 'later', delayMs: this.config.PEC_SEND_RETRY_MS };
    return { next: 'continue' };
  }

  /**
   * Nothing queued to claim: paused or cancelled (stop); attempts of unknown outcome past the waiting
   * time go back to the queue; younger ones are looked at again when theirs is up; else every
   * recipient has an outcome and the campaign moves on to monitoring its receipts.
   */
  private async drained(campaign: Campaign): Promise<Step> {
    const current = await this.campaigns.findOne({ id: campaign.id });
    if (current?.status !== 'sending') return { next: 'stop' };
    const wait = this.config.CAMPAIGN_RESEND_AFTER_MS;
    if ((await this.batches.requeueUnanswered(campaign.id, wait)) > 0) return { next: 'continue' };
    const oldest = await this.batches.oldestUnanswered(campaign.id);
    if (oldest) return { next: 'later', delayMs: oldest.getTime() + wait - Date.now() + 100 };
    await this.finish.monitor(campaign.id);
    return { next: 'stop' };
  }
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** The enhanced status code of an SMTP reply (`5.1.1`), else its basic one (`550`): the code people look up. */
function smtpCode(reply: string): string {
  return /\b[245]\.\d{1,3}\.\d{1,3}\b/.exec(reply)?.[0] ?? /^\d{3}/.exec(reply)?.[0] ?? 'smtp';
}
