import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ActivityLog, type ActivityActor, type ActivityRecord } from '../audit/activity-log.js';
import { BeatsBalances } from './beats-balance.js';
import { BeatsExhausted } from './beats-exhausted.js';
import { BeatsLedger, type BeatsPurpose } from './beats-ledger.js';
import { BeatReservationRepository } from './beats.repositories.js';
import { LowBalanceAlert } from './low-balance.js';
import { BeatPrices } from './price-list.js';

/** The reservation key of one attempt of a plug call is `<plug>:<call key>:attempt:<uuid>`. */
export const ATTEMPT = 'attempt:';

/** One metered call of a plug, as the invocation service describes it. */
export interface MeteredCall {
  plug: string;
  units: number;
  /** The same for every attempt of one logical call: it is charged once. */
  key: string;
  principal: { userId: string; email: string } | null;
  campaignId?: string | null;
  subject?: { type: string; id: string } | null;
}

/** A charge made inside a caller's transaction: `overdraft` beats no credit covered; activity once that commits. */
export interface Charge {
  overdraft: number;
  recordActivity(): Promise<void>;
}

/** A hold taken inside a caller's transaction: its activity entry is written once that commits. */
export interface Hold {
  reservationId: string | null;
  recordActivity(): Promise<void>;
}

/**
 * Prices a call and moves its beats through the ledger (docs/decisions/0022-beats-ledger.md), and
 * writes every ledger entry it makes to the activity log. Used by PlugInvocation only: that is the
 * one place plug calls are metered.
 */
@Injectable()
export class BeatsMeter {
  constructor(
    private readonly ledger: BeatsLedger,
    private readonly prices: BeatPrices,
    private readonly balances: BeatsBalances,
    private readonly reservations: BeatReservationRepository,
    private readonly activity: ActivityLog,
    private readonly lowBalance: LowBalanceAlert,
    private readonly dataSource: DataSource,
  ) {}

  async priceOf(call: Pick<MeteredCall, 'plug' | 'units'>): Promise<number> {
    return call.units * (await this.prices.perUnit(call.plug));
  }

  /**
   * Runs `work` metered: its beats are reserved first (refused at once when not there), turned into
   * the call's debit when it succeeds, released when it fails. A call already charged (a retry after
   * a crash that followed the debit) runs uncharged — the reserve statement itself finds the debit —
   * and the work is idempotent by the same key. The reservation is per attempt, so a failed attempt's
   * release never blocks a later one; an attempt killed between reserve and debit leaves its beats
   * held, never charged, until the housekeeping sweep releases them (StaleCallHolds).
   */
  async around<T>(call: MeteredCall, work: () => Promise<T>): Promise<T> {
    const beats = await this.priceOf(call);
    if (beats === 0) return work();
    const debitKey = `${call.plug}:${call.key}`;
    const outcome = await this.ledger.reserve(`${debitKey}:${ATTEMPT}${randomUUID()}`, beats, this.purpose(call), undefined, debitKey);
    if (outcome.outcome === 'charged') return work();
    if (outcome.outcome === 'insufficient') throw await this.exhausted(call.plug, beats, outcome.shortfall);
    await this.record('beats.reserved', call, { beats, reservationId: outcome.reservationId }, outcome.checkLow);
    let result: T;
    try {
      result = await work();
    } catch (error) {
      await this.releaseAndRecord(outcome.reservationId, call);
      throw error;
    }
    await this.spend(call, debitKey, beats, outcome.reservationId);
    return result;
  }

  /**
   * Reserves a call's beats ahead of work done later (a PEC accepted now and sent by a worker), in the
   * caller's transaction so the work is stored only if the beats are held. Throws BeatsExhausted.
   */
  async hold(call: MeteredCall, manager: EntityManager): Promise<Hold> {
    const beats = await this.priceOf(call);
    if (beats === 0) return { reservationId: null, recordActivity: () => Promise.resolve() };
    const purpose = this.purpose(call);
    const outcome = await this.ledger.reserve(`${call.plug}:${call.key}`, beats, purpose, manager);
    if (outcome.outcome === 'charged') throw new Error('a hold never asks unlessCharged');
    if (outcome.outcome === 'insufficient') throw await this.exhausted(call.plug, beats, outcome.shortfall);
    return {
      reservationId: outcome.reservationId,
      recordActivity: () => this.record('beats.reserved', call, { beats, reservationId: outcome.reservationId }, outcome.checkLow),
    };
  }

  /**
   * The held work was done for `units` of the units held: they are charged, the rest released. If the
   * hold was released meanwhile (the housekeeping sweep gave up on a PEC of unknown outcome, then its
   * acceptance came), the work was done all the same: it is charged without the hold, as overdraft
   * where credit no longer covers it.
   */
  async settle(call: MeteredCall): Promise<void> {
    const hold = await this.reservations.findOne({ idempotencyKey: `${call.plug}:${call.key}` });
    if (!hold) return;
    const beats = await this.priceOf(call);
    if (beats > 0) await this.spend(call, `${call.plug}:${call.key}`, Math.min(beats, hold.beats), hold.id);
    if (hold.status === 'open' && beats < hold.beats) await this.releaseAndRecord(hold.id, call);
  }

  /**
   * Gives back what a reservation still holds (an attempt that died: the housekeeping sweep). The
   * release and its activity entry commit together: this sweep exists because processes get killed,
   * and one killed between the two commits would leave a release nobody records later.
   */
  async release(reservationId: string, call: Pick<MeteredCall, 'plug' | 'key' | 'principal'>): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const outcome = await this.ledger.release(reservationId, manager);
      if (outcome.outcome === 'released')
        await this.activity.recordWithin(
          manager,
          this.entry('beats.released', call, { beats: outcome.released, entryId: outcome.entryId, reservationId }),
        );
    });
  }

  /** The held work will not be done (refused, cancelled): everything it held goes back. */
  async cancel(call: Pick<MeteredCall, 'plug' | 'key' | 'principal'>): Promise<void> {
    const hold = await this.reservations.findOne({ idempotencyKey: `${call.plug}:${call.key}` });
    if (hold) await this.releaseAndRecord(hold.id, call);
  }

  /**
   * Work that is never refused (incoming PEC): charged after the fact, what credit does not cover is
   * recorded as overdraft. In the caller's transaction (the intake's, so a message is never stored
   * uncharged); its activity entry is written by `recordActivity` once that commits.
   */
  async chargeAlways(call: MeteredCall, manager: EntityManager): Promise<Charge> {
    const beats = await this.priceOf(call);
    const key = `${call.plug}:${call.key}`;
    const outcome = beats === 0 ? null : await this.ledger.debit(key, beats, this.purpose(call), { overdraft: true }, manager);
    if (outcome?.outcome !== 'charged') return { overdraft: 0, recordActivity: () => Promise.resolve() };
    const details = { beats, entryId: outcome.entryId, overdraft: outcome.overdraft };
    return { overdraft: outcome.overdraft, recordActivity: () => this.record('beats.charged', call, details, outcome.checkLow) };
  }

  private async chargeOverdraft(call: MeteredCall, key: string, beats: number, releasedHold: string): Promise<void> {
    const outcome = await this.ledger.debit(key, beats, this.purpose(call), { overdraft: true });
    if (outcome.outcome === 'charged')
      await this.record(
        'beats.charged',
        call,
        { beats, entryId: outcome.entryId, overdraft: outcome.overdraft, releasedHold },
        outcome.checkLow,
      );
  }

  private async spend(call: MeteredCall, key: string, beats: number, reservationId: string): Promise<void> {
    const outcome = await this.ledger.debit(key, beats, this.purpose(call), { reservationId });
    if (outcome.outcome === 'charged') {
      await this.record(
        'beats.charged',
        call,
        { beats, entryId: outcome.entryId, reservationId, overdraft: outcome.overdraft },
        outcome.checkLow,
      );
      return;
    }
    // The hold was released under the work (the housekeeping sweep): the work is done, so it is charged.
    if (outcome.outcome === 'not-reserved') {
      await this.chargeOverdraft(call, key, beats, reservationId);
      return;
    }
    // Charged already by a concurrent attempt of the same call: this attempt's hold goes back.
    await this.releaseAndRecord(reservationId, call);
  }

  private async releaseAndRecord(reservationId: string, call: Pick<MeteredCall, 'plug' | 'key' | 'principal'>): Promise<void> {
    const outcome = await this.ledger.release(reservationId);
    if (outcome.outcome === 'released')
      await this.record('beats.released', call, { beats: outcome.released, entryId: outcome.entryId, reservationId });
  }

  private async exhausted(plug: string, needed: number, shortfall: number): Promise<BeatsExhausted> {
    const { available } = await this.balances.current();
    return new BeatsExhausted(plug, needed, Math.max(available, 0), shortfall);
  }

  private purpose(call: MeteredCall): BeatsPurpose {
    return {
      plug: call.plug,
      units: call.units,
      userId: call.principal?.userId ?? null,
      campaignId: call.campaignId,
      subject: call.subject,
    };
  }

  private async record(
    action: string,
    call: Pick<MeteredCall, 'plug' | 'key' | 'principal'>,
    details: Record<string, unknown>,
    checkLow = false,
  ): Promise<void> {
    await this.activity.record(this.entry(action, call, details));
    // Recorded once the movement is committed; its statement said whether the alert has a line to cross.
    if (checkLow) await this.lowBalance.afterMovement();
  }

  private entry(action: string, call: Pick<MeteredCall, 'plug' | 'key' | 'principal'>, details: Record<string, unknown>): ActivityRecord {
    const actor: ActivityActor = call.principal ? { id: call.principal.userId, email: call.principal.email } : 'system';
    return { action, actor, resource: { type: 'beats', id: call.key }, details: { plug: call.plug, ...details } };
  }
}
