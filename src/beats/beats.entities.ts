import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TenantOwnedEntity } from '../db/tenant-owned.entity.js';
import type { TenantOwned } from '../db/tenant-scoped.repository.js';

/**
 * What a ledger entry records (docs/decisions/0022-beats-ledger.md):
 * - `credit`: a pack bought (`pack_id`); `beats` = its size.
 * - `debit`: a charged call; `beats` = its price, of which `overdraft` beats were not covered by credit.
 * - `reservation`: beats held for a long operation (`reservation_id`); not spent yet.
 * - `release`: what a reservation still held when it closed, given back.
 * `beats` is always ≥ 0; the kind says which way it moves.
 */
export type BeatLedgerKind = 'credit' | 'debit' | 'reservation' | 'release';

/** What a ledger entry or a reservation is for: the columns usage is grouped by. */
export abstract class BeatPurposeColumns extends TenantOwnedEntity {
  /** The plug charged (`pec.send`, `pec.receive`, `notify`…); null for credits. */
  @Column({ type: 'text', nullable: true })
  plug!: string | null;

  /** Who the call ran for (null: the platform itself, e.g. incoming PEC). */
  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId!: string | null;

  @Column({ name: 'campaign_id', type: 'uuid', nullable: true })
  campaignId!: string | null;

  /** What the beats were spent on, e.g. (`pec-message`, its id) or (`process-instance`, its id). */
  @Column({ name: 'subject_type', type: 'text', nullable: true })
  subjectType!: string | null;

  @Column({ name: 'subject_id', type: 'text', nullable: true })
  subjectId!: string | null;

  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** One movement of a tenant's beats. Append-only: the database refuses UPDATE and DELETE. */
@Entity({ name: 'beat_ledger' })
export class BeatLedgerEntry extends BeatPurposeColumns {
  @Column({ type: 'text' })
  kind!: BeatLedgerKind;

  /** How many of the plug's units (recipients, messages, calls) the entry covers. */
  @Column({ type: 'integer' })
  units!: number;

  @Column({ type: 'integer' })
  beats!: number;

  @Column({ type: 'integer' })
  overdraft!: number;

  @Column({ name: 'pack_id', type: 'uuid', nullable: true })
  packId!: string | null;

  @Column({ name: 'reservation_id', type: 'uuid', nullable: true })
  reservationId!: string | null;

  /** A debit: `packs` = [{pack, beats}] it consumed; a credit: `expiresAt`, `coveredOverdraft`. */
  @Column({ type: 'jsonb' })
  details!: Record<string, unknown>;
}

/** A prepaid pack, tied to a contract period: it counts until `expiresAt`, then what is left is lost. */
@Entity({ name: 'beat_packs' })
export class BeatPack extends TenantOwnedEntity {
  @Column({ type: 'integer' })
  beats!: number;

  /** Kept by the same statement as the ledger entry that consumes it (the ledger's `details.packs`). */
  @Column({ type: 'integer' })
  remaining!: number;

  @Column({ name: 'purchased_at', type: 'timestamptz' })
  purchasedAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  /** The contract (period) the pack was bought under, as the operator names it. */
  @Column({ type: 'text', nullable: true })
  contract!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** Beats held for a long operation until it spends them (debits) or closes (a release). */
@Entity({ name: 'beat_reservations' })
export class BeatReservation extends BeatPurposeColumns {
  @Column({ type: 'integer' })
  beats!: number;

  /** Still held: reserved minus what was spent; 0 once closed. */
  @Column({ type: 'integer' })
  held!: number;

  @Column({ type: 'text' })
  status!: 'open' | 'closed';

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;
}

/** PostgreSQL answers bigint as text; these totals stay far below 2^53. */
const bigintAsNumber = { to: (value: number) => value, from: (value: string) => Number(value) };

/** A tenant's running totals; its row lock is what makes the tenant's movements take turns. */
@Entity({ name: 'beat_accounts' })
export class BeatAccount implements TenantOwned {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  /** Beats held by open reservations. */
  @Column({ type: 'bigint', transformer: bigintAsNumber })
  reserved!: number;

  /** Beats consumed without credit (incoming PEC), covered by the next pack. */
  @Column({ type: 'bigint', transformer: bigintAsNumber })
  overdraft!: number;
}
