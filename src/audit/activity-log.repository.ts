import { Injectable } from '@nestjs/common';
import { DataSource, MoreThan, type EntityManager } from 'typeorm';
import { TenantScopedRepository } from '../db/tenant-scoped.repository.js';
import { ActivityEntry } from './activity-entry.entity.js';
import type { ActivityFilter, TimeBound } from './activity-filter.js';
import { GENESIS_HASH } from './activity-hash.js';

/** Arbitrary first key of the advisory locks that serialise appends, one per tenant. */
const APPEND_LOCK_SPACE = 7_260_100;

/** The end of a tenant's chain when a new entry is about to be appended. */
export interface ChainTail {
  nextSeq: number;
  prevHash: string;
  /** The database clock, so `at` grows with `seq` whichever replica writes. */
  now: Date;
}

export type NewActivityEntry = Omit<ActivityEntry, 'id' | 'tenantId'>;

export interface ActivityPage {
  entries: ActivityEntry[];
  /** The cursor of the next (older) page, or null on the last page. */
  next: number | null;
}

/** Escapes LIKE's wildcards so a filter matches the text typed, not a pattern. */
function literal(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

// Days are Italian days: the people reading the log work in Italy, whatever the server's zone.
const DAY_START = (param: string): string => `CAST(CAST(:${param} AS date) AS timestamp) AT TIME ZONE 'Europe/Rome'`;
const NEXT_DAY_START = (param: string): string => `CAST(CAST(:${param} AS date) + 1 AS timestamp) AT TIME ZONE 'Europe/Rome'`;

function lowerBound(bound: TimeBound): [string, Record<string, unknown>] {
  if ('day' in bound) return [`entry.at >= ${DAY_START('fromDay')}`, { fromDay: bound.day }];
  return ['entry.at >= :fromInstant', { fromInstant: bound.instant }];
}

function upperBound(bound: TimeBound): [string, Record<string, unknown>] {
  if ('day' in bound) return [`entry.at < ${NEXT_DAY_START('toDay')}`, { toDay: bound.day }];
  return ['entry.at <= :toInstant', { toInstant: bound.instant }];
}

/**
 * Reads a tenant's activity log and appends to it; nothing else. The inherited update and delete
 * take an argument of type `never`, so calling them does not compile (and the database refuses
 * them anyway); entries are added only through `append`, which keeps the chain.
 */
@Injectable()
export class ActivityLogRepository extends TenantScopedRepository<ActivityEntry> {
  constructor(private readonly dataSource: DataSource) {
    super(dataSource, ActivityEntry);
  }

  override insert(_forbidden: never): never {
    throw new Error('activity_log: entries are appended through ActivityLog.record');
  }

  override update(_forbidden: never): never {
    throw new Error('activity_log is append-only');
  }

  override delete(_forbidden: never): never {
    throw new Error('activity_log is append-only');
  }

  /**
   * Appends the entries `builds` make, in order, each from the chain's tail left by the one before,
   * in one transaction of the tenant `tenantId`. A transaction-scoped advisory lock on the tenant makes
   * concurrent writers (any process, any replica) take turns, so each one sees the true tail; the
   * unique (tenant_id, seq) index would refuse a fork anyway. With `within`, in that transaction
   * instead: the entries commit with the change they record, and the lock is held until it ends.
   */
  async append(tenantId: string, builds: ((tail: ChainTail) => NewActivityEntry)[], within?: EntityManager): Promise<void> {
    if (within) return this.appendIn(within, tenantId, builds);
    return this.dataSource.transaction((manager) => this.appendIn(manager, tenantId, builds));
  }

  private async appendIn(manager: EntityManager, tenantId: string, builds: ((tail: ChainTail) => NewActivityEntry)[]): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [APPEND_LOCK_SPACE, tenantId]);
    const [row] = await manager.query<{ seq: string | null; hash: string | null; now: Date }[]>(
      `SELECT last.seq, last.hash, date_trunc('milliseconds', clock_timestamp()) AS now
       FROM (SELECT 1) AS one
       LEFT JOIN LATERAL (SELECT seq, hash FROM activity_log WHERE tenant_id = $1 ORDER BY seq DESC LIMIT 1) AS last ON true`,
      [tenantId],
    );
    let tail: ChainTail = { nextSeq: Number(row?.seq ?? 0) + 1, prevHash: row?.hash ?? GENESIS_HASH, now: row!.now };
    const entries: NewActivityEntry[] = [];
    for (const build of builds) {
      const entry = build(tail);
      entries.push(entry);
      tail = { nextSeq: tail.nextSeq + 1, prevHash: entry.hash, now: tail.now };
    }
    // A plain INSERT: nothing here ever updates a row, and no caller needs the new rows back.
    await manager
      .createQueryBuilder()
      .insert()
      .into(ActivityEntry)
      // jsonb: TypeORM's deep-partial type does not fit an open record (as in ProcessHistory.append).
      .values(entries.map((entry) => ({ ...entry, tenantId, details: entry.details as never })))
      .updateEntity(false)
      .execute();
  }

  /** The entries matching the filter, newest first, one page at a time. */
  async search(filter: ActivityFilter): Promise<ActivityPage> {
    const query = this.query('entry')
      .orderBy('entry.seq', 'DESC')
      .limit(filter.limit + 1);
    if (filter.cursor !== undefined) query.andWhere('entry.seq < :cursor', { cursor: filter.cursor });
    if (filter.actor) query.andWhere(`entry.actor_label ILIKE :actor ESCAPE '\\'`, { actor: `%${literal(filter.actor)}%` });
    if (filter.action) query.andWhere(`entry.action LIKE :action ESCAPE '\\'`, { action: `${literal(filter.action)}%` });
    if (filter.resourceType) query.andWhere('entry.resource_type = :resourceType', { resourceType: filter.resourceType });
    if (filter.resourceId) query.andWhere('entry.resource_id = :resourceId', { resourceId: filter.resourceId });
    if (filter.from) query.andWhere(...lowerBound(filter.from));
    if (filter.to) query.andWhere(...upperBound(filter.to));
    const rows = await query.getMany();
    const entries = rows.slice(0, filter.limit);
    return { entries, next: rows.length > filter.limit ? (entries.at(-1)?.seq ?? null) : null };
  }

  /** Up to `size` entries after `afterSeq`, oldest first: the order the chain is checked in. */
  batchAfter(afterSeq: number, size: number): Promise<ActivityEntry[]> {
    return this.find({ seq: MoreThan(afterSeq) }, { order: { seq: 'ASC' }, take: size });
  }
}
