import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config.module.js';
import { TenantContext } from '../../db/tenant-context.js';
import type { Mailbox } from '../../mailboxes/mailbox.entity.js';
import { MailboxRepository } from '../../mailboxes/mailbox.repository.js';
import { MailboxBreaker, type BreakerTicket } from '../../pacing/mailbox-breaker.js';
import { MailboxPace } from '../../pacing/mailbox-pace.js';
import { HandlesJob } from '../../queue/job-handler.js';
import { JobQueues } from '../../queue/job-queues.js';
import type { TenantJobData } from '../../queue/job-worker.js';
import { QUEUE_NAMES } from '../../queue/queue-names.js';
import { SecretBox } from '../../secrets/secret-box.js';
import { PecStatusEvents, type PecStatusChanged } from '../correlation/pec-status-events.js';
import type { PecMessage } from '../store/pec-message.entities.js';
import { PecMessageRepository, PecRecipientRepository } from '../store/pec-message.repository.js';
import { RecipientTimeline, type TimelineEvent } from '../store/recipient-timeline.js';
import { PlugInvocation } from '../../plugs/plug-invocation.js';
import { MailboxTransports } from './mailbox-transports.js';
import { sendCall } from './send-metering.js';
import { classifySmtpFailure, type SmtpFailure } from './smtp-outcome.js';

export const SEND_PEC_JOB = 'send';

export interface SendPecJobData extends TenantJobData {
  messageId: string;
  /** How many times the provider said "later" so far (the back-off doubles each time). */
  round: number;
  /** The mailbox slot (epoch ms) this send reserved: the job waits for it instead of reserving again. */
  slot?: number;
}

type Outcome = 'submitted' | 'throttled' | 'refused' | 'awaiting-receipts' | 'unknown' | 'paced' | 'deferred' | 'over-quota' | 'skipped';

/** A send whose turn has come: its mailbox slot and the breaker's ticket to report back with. */
interface Turn {
  slot: number;
  ticket: BreakerTicket;
}

/** A message read for this run, its mailbox, and its turn (null: already attempted, nothing to wait for). */
interface Ready {
  message: PecMessage;
  mailbox: Mailbox;
  turn: Turn | null;
}

const MAX_RETRY_MS = 60 * 60_000;
/**
 * A slot this close is waited for in the job (a timer is precise to a few ms, a delayed job to its
 * queue's polling); a later one goes back to the queue as a delayed job, freeing the worker.
 */
const WAIT_IN_JOB_MS = 2_000;

/**
 * The worker side of sending (design.md §3 "Sending pipeline"). A job is at-least-once; the message is
 * sent at most once because the attempt is committed (`sending`, `attempted_at`) BEFORE the SMTP call:
 * a job that finds an attempt without a recorded outcome (its worker died mid-call) does not send
 * again, it waits for the receipts, which say whether the provider took it, and after
 * PEC_SEND_UNKNOWN_AFTER_MS with none marks the recipients `unknown` for an operator.
 */
@Injectable()
export class PecSender {
  private readonly logger = new Logger(PecSender.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly messages: PecMessageRepository,
    private readonly recipients: PecRecipientRepository,
    private readonly mailboxes: MailboxRepository,
    private readonly timeline: RecipientTimeline,
    private readonly transports: MailboxTransports,
    private readonly pace: MailboxPace,
    private readonly breaker: MailboxBreaker,
    private readonly queues: JobQueues,
    private readonly bus: PecStatusEvents,
    private readonly secrets: SecretBox,
    private readonly plugs: PlugInvocation,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Queues the send of a stored message (`queued`); the job id makes a repeated enqueue harmless. */
  async enqueue(messageId: string, round = 0, delayMs = 0, suffix = '', slot?: number): Promise<void> {
    const data: SendPecJobData = { tenant: TenantContext.current(), messageId, round, ...(slot === undefined ? {} : { slot }) };
    await this.queues.get(QUEUE_NAMES.pecSend).add(SEND_PEC_JOB, data, {
      jobId: `${messageId}-${round}${suffix}`,
      delay: Math.max(0, delayMs),
      attempts: 10,
      backoff: { type: 'exponential', delay: this.config.PEC_SEND_RETRY_MS },
    });
  }

  /**
   * At worker start: a message committed `queued` whose enqueue was lost (the process died in
   * between, Redis flushed) is queued again, and one still `sending` gets its overdue check. Extra
   * jobs are harmless: the claim under the row lock lets one send at most.
   */
  async rederive(): Promise<number> {
    const rows = await this.dataSource.query<{ id: string; tenant_id: string; slug: string; status: string; attempted_at: Date | null }[]>(
      `SELECT m.id, m.tenant_id, n.slug, m.status, m.attempted_at FROM pec_messages m JOIN tenants n ON n.id = m.tenant_id
        WHERE m.direction = 'out' AND m.status IN ('queued', 'sending')`,
    );
    for (const row of rows)
      await TenantContext.run({ tenantId: row.tenant_id, slug: row.slug }, () =>
        row.status === 'queued' || !row.attempted_at
          ? this.enqueue(row.id, 0, 0, `-rederive-${Date.now()}`)
          : this.scheduleCheck({ id: row.id, attemptedAt: row.attempted_at } as PecMessage),
      );
    if (rows.length > 0) this.logger.log(`re-derived ${rows.length} PEC send jobs`);
    return rows.length;
  }

  @HandlesJob(QUEUE_NAMES.pecSend, SEND_PEC_JOB)
  async run(job: Job<SendPecJobData>): Promise<{ outcome: Outcome }> {
    const paced = await this.awaitTurn(job.data);
    if ('outcome' in paced) return paced;
    const { message, mailbox } = paced;
    const claimed = await this.claim(message, paced.turn);
    if ('outcome' in claimed) return claimed;
    const { ticket } = claimed.turn;
    const raw = this.secrets.openBytes(message.source!, `pec-message:${message.id}`);
    const envelope = { from: message.fromAddress, to: [...message.toAddresses, ...message.ccAddresses] };
    try {
      const info = (await this.transports.for(mailbox).sendMail({ envelope, raw })) as {
        response: string;
        accepted: string[];
        rejected: string[];
      };
      await this.submitted(message, info.response, info.rejected);
      // The beats held when the message was queued: charged for the recipients the provider took.
      await this.plugs.settle(sendCall(message.id, envelope.to.length - info.rejected.length, null));
      await this.breaker.report(mailbox.id, ticket, 'answered');
      await this.scheduleCheck(message);
      return { outcome: 'submitted' };
    } catch (error) {
      const failure = classifySmtpFailure(error);
      this.logger.warn(`PEC ${message.id} submission failed (${failure.outcome}): ${failure.reply}`);
      const openUntil = await this.breaker.report(mailbox.id, ticket, failure.signal);
      if (failure.outcome === 'throttled') return this.later(message, job.data.round, failure, openUntil);
      if (failure.outcome === 'refused') {
        await this.record(
          message,
          { kind: 'refused', target: 'refused', error: failure.reply, details: { reply: failure.reply } },
          {
            smtpReply: failure.reply,
          },
        );
        // A refused call costs nothing.
        await this.plugs.cancel(sendCall(message.id, 0, null));
        return { outcome: 'refused' };
      }
      await this.scheduleCheck(message);
      return { outcome: 'awaiting-receipts' };
    }
  }

  /**
   * The mailbox's pace and breaker (decision 0025), before anything is attempted: the first run
   * reserves a slot and waits for it (in the job when near, as a delayed job when not); at the slot,
   * an open breaker defers the send to its end, without a slot, so deferred sends reserve new ones
   * then and come back spaced, not all at once. Nothing here sends or records an attempt.
   */
  private async awaitTurn(data: SendPecJobData): Promise<{ outcome: Outcome } | Ready> {
    // The one read of the message (with its sealed source) and of its mailbox for this run: the
    // claim only re-reads, under its lock, the two columns that decide whether to send.
    const message = await this.messages.findOne({ id: data.messageId });
    const mailbox = message && (await this.mailboxes.findOne({ id: message.mailboxId }));
    if (!message || !mailbox) return { outcome: 'skipped' };
    // Already attempted: no turn to wait for, the claim looks at the attempt's outcome.
    if (message.status !== 'queued') return { message, mailbox, turn: null };
    let slot = data.slot;
    if (slot === undefined) {
      const reservation = await this.pace.reserve(mailbox, await this.recipients.count({ messageId: message.id }));
      if (reservation.refused) {
        await this.enqueue(message.id, data.round, reservation.retryAt.getTime() - Date.now(), `-quota-${reservation.retryAt.getTime()}`);
        return { outcome: 'over-quota' };
      }
      slot = reservation.at.getTime();
    }
    const wait = slot - Date.now();
    if (wait > WAIT_IN_JOB_MS) {
      await this.enqueue(message.id, data.round, wait, `-slot-${slot}`, slot);
      return { outcome: 'paced' };
    }
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const admission = await this.admitted(mailbox, message.id, data.round);
    return 'ticket' in admission ? { message, mailbox, turn: { slot, ticket: admission.ticket } } : admission;
  }

  /** The breaker's word on a send whose slot has come: go (with its ticket), or wait for the breaker. */
  private async admitted(mailbox: Mailbox, messageId: string, round: number): Promise<{ outcome: Outcome } | { ticket: BreakerTicket }> {
    const admission = await this.breaker.admit(mailbox.id);
    if (admission.go) return { ticket: admission.ticket };
    const until = admission.until.getTime();
    this.logger.log(
      { messageId, mailboxId: mailbox.id, until: admission.until.toISOString() },
      'PEC send deferred: mailbox slowed down by its provider',
    );
    await this.enqueue(messageId, round, until - Date.now(), `-breaker-${until}`);
    return { outcome: 'deferred' };
  }

  /**
   * The provider did not take the message and said "later": back to `queued`, and again after the
   * breaker's back-off when the mailbox is slowed down, else after this message's own (doubling).
   * The next run reserves a new slot.
   */
  private async later(message: PecMessage, round: number, failure: SmtpFailure, openUntil: Date | null): Promise<{ outcome: Outcome }> {
    const own = Math.min(this.config.PEC_SEND_RETRY_MS * 2 ** round, MAX_RETRY_MS);
    const wait = openUntil ? openUntil.getTime() - Date.now() : own;
    await this.record(message, { kind: 'throttled', target: 'queued', details: { reply: failure.reply } }, { attemptedAt: null });
    await this.enqueue(message.id, round + 1, wait);
    return { outcome: 'throttled' };
  }

  /**
   * Takes the message read by `awaitTurn` for sending in one transaction: `queued` → `sending` with
   * the attempt recorded (its turn returned: the caller may call SMTP), or decides there is
   * nothing to send (already past sending, an earlier attempt of unknown outcome). Its status and
   * attempt are read again under the row lock: another job, a throttle or a receipt may have moved
   * the message since, and only the locked read makes the send at most once (decision 0016).
   */
  private async claim(message: PecMessage, turn: Turn | null): Promise<{ outcome: Outcome } | { turn: Turn }> {
    let changes: PecStatusChanged[] = [];
    const result = await this.dataSource.transaction(async (manager) => {
      const locked = await this.messages
        .within(manager)
        .query('m')
        .select(['m.id', 'm.status', 'm.attemptedAt'])
        .andWhere('m.id = :id', { id: message.id })
        .setLock('pessimistic_write')
        .getOne();
      if (!locked) return { outcome: 'skipped' as const };
      Object.assign(message, { status: locked.status, attemptedAt: locked.attemptedAt });
      if (message.status === 'sending' && message.attemptedAt) return this.unknownOutcome(manager, message);
      // Queued again since the pace was looked at (a throttle): that throttle queued its own job.
      if (message.status !== 'queued' || !turn) return { outcome: 'skipped' as const };
      const rows = await this.recipients.within(manager).find({ messageId: message.id });
      const now = new Date();
      // The slot on the timeline: how long the mailbox's pace held the message back, for people and tests.
      const event = { kind: 'sending', target: 'sending', at: now, details: { slot: new Date(turn.slot).toISOString() } } as const;
      changes = await this.timeline.move(manager, message, rows, event, { attemptedAt: now });
      return { turn };
    });
    this.bus.publish(changes);
    return result;
  }

  /**
   * Still `sending` after an attempt: its outcome is not known here (the worker died mid-call) or the
   * receipts have not come yet. The correlator moves the message when they come; this only says
   * `unknown` once PEC_SEND_UNKNOWN_AFTER_MS have passed without them.
   */
  private async unknownOutcome(manager: EntityManager, message: PecMessage): Promise<{ outcome: Outcome }> {
    const waited = Date.now() - message.attemptedAt!.getTime();
    if (waited < this.config.PEC_SEND_UNKNOWN_AFTER_MS) {
      await this.scheduleCheck(message);
      return { outcome: 'awaiting-receipts' };
    }
    const rows = await this.recipients.within(manager).find({ messageId: message.id });
    const changes = await this.timeline.move(manager, message, rows, {
      kind: 'no-receipt',
      target: 'unknown',
      details: { waitedMs: waited },
    });
    this.bus.publish(changes);
    return { outcome: 'unknown' };
  }

  /** One delayed look at the message when the receipts are overdue (the job id keeps it to one per attempt). */
  private async scheduleCheck(message: PecMessage): Promise<void> {
    const due = message.attemptedAt!.getTime() + this.config.PEC_SEND_UNKNOWN_AFTER_MS;
    await this.enqueue(message.id, 0, Math.max(0, due - Date.now()), `-check-${message.attemptedAt!.getTime()}`);
  }

  /** The provider took the message (250): the receipts will move the recipients; a rejected RCPT is final. */
  private async submitted(message: PecMessage, reply: string, rejected: string[]): Promise<void> {
    let changes: PecStatusChanged[] = [];
    await this.dataSource.transaction(async (manager) => {
      const rows = await this.recipients.within(manager).find({ messageId: message.id });
      const refused = new Set(rejected.map((address) => address.toLowerCase()));
      const patch = { sentAt: new Date(), smtpReply: reply };
      changes = await this.timeline.move(
        manager,
        message,
        rows.filter((row) => !refused.has(row.address)),
        { kind: 'submitted', target: 'sending', details: { reply } },
        patch,
      );
      if (refused.size > 0)
        changes.push(
          ...(await this.timeline.move(
            manager,
            message,
            rows.filter((row) => refused.has(row.address)),
            { kind: 'refused', target: 'refused', error: 'rcpt-rejected', details: { reply } },
            patch,
          )),
        );
    });
    this.bus.publish(changes);
  }

  private async record(message: PecMessage, event: TimelineEvent, patch: Partial<PecMessage>): Promise<void> {
    const changes = await this.dataSource.transaction(async (manager) => {
      const rows = await this.recipients.within(manager).find({ messageId: message.id });
      return this.timeline.move(manager, message, rows, event, patch);
    });
    this.bus.publish(changes);
  }
}
