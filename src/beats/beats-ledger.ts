import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { TenantContext } from '../db/tenant-context.js';
import { BeatsGroupCommit, type BeatsMove, type MoveResult } from './beats-group-commit.js';

/** What a chargeable movement is about: grouped by in usage reports. */
export interface BeatsPurpose {
  /** The plug charged (`pec.send`…); null only for credits. */
  plug: string | null;
  units: number;
  userId?: string | null;
  campaignId?: string | null;
  /** What the beats were spent on, e.g. { type: 'pec-message', id }. */
  subject?: { type: string; id: string } | null;
}

/** `checkLow`: once this is committed, the low-balance alert should look (migration 1767000000000). */
export type DebitOutcome =
  /** `overdraft`: how many of the beats no credit covered (only with `overdraft: true`). */
  | { outcome: 'charged' | 'duplicate'; entryId: string; overdraft: number; checkLow: boolean }
  /** Not enough available beats (or, spending a reservation, not that much held): nothing written. */
  | { outcome: 'insufficient' | 'not-reserved'; shortfall: number };

export type ReserveOutcome =
  | { outcome: 'reserved' | 'duplicate'; reservationId: string; checkLow: boolean }
  | { outcome: 'insufficient'; shortfall: number }
  /** Asked `unlessCharged` and a debit with that key exists: nothing reserved. */
  | { outcome: 'charged' };

export type ReleaseOutcome = { outcome: 'released'; entryId: string; released: number } | { outcome: 'duplicate' | 'unknown' };

export interface NewPack {
  key: string;
  beats: number;
  /** Days (YYYY-MM-DD), Italian time: the pack counts from the start of `purchasedOn` to the end of `expiresOn`. */
  purchasedOn: string;
  expiresOn: string;
  contract: string | null;
  userId: string | null;
}

export type AddPackOutcome = { outcome: 'added' | 'duplicate'; entryId: string; packId: string; coveredOverdraft: number };

/**
 * The only code that moves beats: each movement is made by ONE call of a database function
 * (migrations 1766400000000, 1767000000000), so it is atomic and serialised per tenant by the
 * database itself (the account row lock) — see docs/decisions/0022-beats-ledger.md. Without a caller's
 * transaction, movements go through BeatsGroupCommit, which commits the ones that arrive together in
 * one statement (0029). The tenant is the context's; `manager` runs the movement inside a caller's
 * transaction (a PEC stored with its charge).
 */
@Injectable()
export class BeatsLedger {
  constructor(
    private readonly dataSource: DataSource,
    private readonly groupCommit: BeatsGroupCommit,
  ) {}

  async debit(
    key: string,
    beats: number,
    purpose: BeatsPurpose,
    options: DebitOptions = {},
    manager?: EntityManager,
  ): Promise<DebitOutcome> {
    const { row, checkLow } = await this.move(
      {
        op: 'debit',
        key,
        beats,
        ...movePurpose(purpose),
        overdraft: options.overdraft ?? false,
        reservation: options.reservationId ?? null,
      },
      manager,
    );
    const outcome = row['outcome'] as string;
    if (outcome === 'charged' || outcome === 'duplicate')
      return { outcome, entryId: row['entry_id'] as string, overdraft: Number(row['overdraft']), checkLow };
    return { outcome: outcome as 'insufficient' | 'not-reserved', shortfall: Number(row['shortfall']) };
  }

  /**
   * Many debits of one kind in one statement (a campaign's batch of recipients) through `beats_apply`
   * (decision 0029): still one `beats_debit` per key, each idempotent by its key, all under the same
   * account lock. Answers each key's outcome in order.
   */
  async debitEach(
    debits: readonly { key: string; subjectId: string }[],
    beats: number,
    purpose: Omit<BeatsPurpose, 'subject'> & { subjectType: string },
    options: DebitOptions = {},
    manager?: EntityManager,
  ): Promise<DebitOutcome['outcome'][]> {
    if (debits.length === 0) return [];
    const moves: BeatsMove[] = debits.map((debit) => ({
      op: 'debit',
      key: debit.key,
      beats,
      ...movePurpose({ ...purpose, subject: { type: purpose.subjectType, id: debit.subjectId } }),
      overdraft: options.overdraft ?? false,
      reservation: options.reservationId ?? null,
    }));
    const results = await this.groupCommit.apply(TenantContext.current().tenantId, moves, manager);
    return results.map(({ row }) => row['outcome'] as DebitOutcome['outcome']);
  }

  async reserve(
    key: string,
    beats: number,
    purpose: BeatsPurpose,
    manager?: EntityManager,
    unlessCharged: string | null = null,
  ): Promise<ReserveOutcome> {
    const { row, checkLow } = await this.move({ op: 'reserve', key, beats, ...movePurpose(purpose), unlessCharged }, manager);
    const outcome = row['outcome'] as string;
    if (outcome === 'charged') return { outcome };
    if (outcome === 'insufficient') return { outcome, shortfall: Number(row['shortfall']) };
    return { outcome: outcome as 'reserved' | 'duplicate', reservationId: row['reservation_id'] as string, checkLow };
  }

  async release(reservationId: string, manager?: EntityManager): Promise<ReleaseOutcome> {
    const { row } = await this.move({ op: 'release', reservation: reservationId }, manager);
    if (row['outcome'] === 'released')
      return { outcome: 'released', entryId: row['entry_id'] as string, released: Number(row['released']) };
    return { outcome: row['outcome'] as 'duplicate' | 'unknown' };
  }

  async addPack(pack: NewPack, manager?: EntityManager): Promise<AddPackOutcome> {
    const [row] = await (manager ?? this.dataSource.manager).query<
      { outcome: 'added' | 'duplicate'; entry_id: string; pack_id: string; covered: string }[]
    >(
      `SELECT * FROM beats_add_pack($1, $2, $3, CAST($4 AS date)::timestamp AT TIME ZONE 'Europe/Rome',
                                    (CAST($5 AS date) + 1)::timestamp AT TIME ZONE 'Europe/Rome', $6, $7)`,
      [TenantContext.current().tenantId, pack.key, pack.beats, pack.purchasedOn, pack.expiresOn, pack.contract, pack.userId],
    );
    return { outcome: row!.outcome, entryId: row!.entry_id, packId: row!.pack_id, coveredOverdraft: Number(row!.covered) };
  }

  /** Every movement is the context's tenant's, never a caller's. */
  private async move(move: BeatsMove, manager: EntityManager | undefined): Promise<MoveResult> {
    const tenantId = TenantContext.current().tenantId;
    if (manager) return (await this.groupCommit.apply(tenantId, [move], manager))[0]!;
    return this.groupCommit.submit(tenantId, move);
  }
}

export interface DebitOptions {
  /** Never refused: what credit does not cover is recorded as overdraft (incoming PEC). */
  overdraft?: boolean;
  /** Spends beats an open reservation holds instead of available ones. */
  reservationId?: string | null;
}

function movePurpose(purpose: BeatsPurpose): Omit<BeatsMove, 'op'> {
  return {
    plug: purpose.plug,
    units: purpose.units,
    user: purpose.userId ?? null,
    campaign: purpose.campaignId ?? null,
    subjectType: purpose.subject?.type ?? null,
    subjectId: purpose.subject?.id ?? null,
  };
}
