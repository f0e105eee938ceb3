import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { TenantContext } from '../db/tenant-context.js';
import { Tenant } from '../tenancy/tenant.entity.js';
import type { ActivityFilter } from './activity-filter.js';
import { chainHash } from './activity-hash.js';
import { ActivityLogRepository, type ActivityPage, type ChainTail, type NewActivityEntry } from './activity-log.repository.js';
import { AppendQueue } from './append-queue.js';
import { ChainWalk, type ChainVerdict } from './chain-walk.js';

/** Who did it: a signed-in user, or the platform itself (jobs, provisioning). */
export type ActivityActor = { id: string; email: string } | 'system';

/** A security-relevant action, as a module reports it. */
export interface ActivityRecord {
  /** `area.verb`, lower case, e.g. `auth.sign-in`, `user.created`, `policy.changed`. */
  action: string;
  actor: ActivityActor;
  resource?: { type: string; id: string };
  details?: Record<string, unknown>;
  ip?: string;
}

const ACTION = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;
const VERIFY_BATCH = 1000;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Logged text can come from a visitor (the e-mail typed at a failed sign-in). PostgreSQL's text
 * and jsonb refuse NUL and lone surrogates; such a character must not turn the recording, and so
 * the action being recorded, into an error.
 */
function storable(text: string): string {
  return text.replaceAll('\0', '\uFFFD').replace(LONE_SURROGATE, '\uFFFD');
}

/** How an entry is made from the chain's tail (its seq, the hash before it, the time). */
function entryBuilder(entry: ActivityRecord): (tail: ChainTail) => NewActivityEntry {
  if (!ACTION.test(entry.action)) throw new Error(`activity log: malformed action "${entry.action}"`);
  // What is hashed must be what jsonb gives back: a plain JSON object, nothing JSON drops.
  const plain = JSON.stringify(entry.details ?? {}, (_key, value: unknown) => (typeof value === 'string' ? storable(value) : value));
  const details = JSON.parse(plain) as Record<string, unknown>;
  const tenantId = TenantContext.current().tenantId;
  return (tail) => {
    const fields: Omit<NewActivityEntry, 'hash'> = {
      seq: tail.nextSeq,
      at: tail.now,
      actorId: entry.actor === 'system' ? null : entry.actor.id,
      actorLabel: entry.actor === 'system' ? 'system' : storable(entry.actor.email),
      action: entry.action,
      resourceType: entry.resource ? storable(entry.resource.type) : null,
      resourceId: entry.resource ? storable(entry.resource.id) : null,
      details,
      ip: entry.ip === undefined ? null : storable(entry.ip),
      prevHash: tail.prevHash,
    };
    return { ...fields, hash: chainHash({ ...fields, tenantId }) };
  };
}

/**
 * The activity log of the current tenant: the one way every module records security-relevant
 * actions, and the way to read and verify them. Entries are never changed once written.
 */
@Injectable()
export class ActivityLog {
  private readonly appends: AppendQueue;

  constructor(
    private readonly entries: ActivityLogRepository,
    private readonly dataSource: DataSource,
  ) {
    this.appends = new AppendQueue((tenantId, builds) => this.entries.append(tenantId, builds));
  }

  /** Appends an entry to the current tenant's chain; it is stored (and hashed) when this resolves. */
  async record(entry: ActivityRecord): Promise<void> {
    const build = entryBuilder(entry);
    await this.appends.add(TenantContext.current().tenantId, build);
  }

  /**
   * Appends the entry in the caller's transaction, so it commits with the change it records or not at
   * all: for changes a crash between two commits would leave unrecorded (housekeeping that repairs
   * what a killed process left). It holds the tenant's chain lock until that transaction ends, so it
   * is for rare writes, not for the hot paths the group commit serves.
   */
  async recordWithin(manager: EntityManager, entry: ActivityRecord): Promise<void> {
    await this.entries.append(TenantContext.current().tenantId, [entryBuilder(entry)], manager);
  }

  /** The current tenant's entries matching the filter, newest first. */
  search(filter: ActivityFilter): Promise<ActivityPage> {
    return this.entries.search(filter);
  }

  /**
   * Recomputes every hash of the tenant's chain in seq order, a batch at a time, and stops at the
   * first entry that was altered, follows removed ones, or does not link to the one before. It takes
   * the tenant's id (the command line has no request to find it from) and reads within its scope.
   */
  async verify(tenantId: string): Promise<ChainVerdict> {
    const tenant = await this.dataSource.getRepository(Tenant).findOneBy({ id: tenantId });
    if (!tenant) throw new Error(`activity log: no tenant ${tenantId}`);
    return TenantContext.run({ tenantId: tenant.id, slug: tenant.slug }, async () => {
      const walk = new ChainWalk();
      let afterSeq = 0;
      for (;;) {
        const batch = await this.entries.batchAfter(afterSeq, VERIFY_BATCH);
        for (const entry of batch) {
          const broken = walk.step(entry);
          if (broken) return { ok: false, count: walk.count, firstBad: broken };
        }
        if (batch.length < VERIFY_BATCH) return { ok: true, count: walk.count };
        afterSeq = batch.at(-1)!.seq;
      }
    });
  }
}
