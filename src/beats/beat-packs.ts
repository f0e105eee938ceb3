import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ActivityLog, type ActivityActor } from '../audit/activity-log.js';
import { TenantContext } from '../db/tenant-context.js';
import { Tenant } from '../tenancy/tenant.entity.js';
import { BeatsLedger, type AddPackOutcome } from './beats-ledger.js';

export interface PackOrder {
  beats: number;
  /** The last day the pack counts (YYYY-MM-DD, Italian time). */
  expires: string;
  /** Default: today (Italian time). */
  purchased?: string;
  contract?: string | null;
  /** Makes a repeated order (a retried API call, a re-synced tenant file) add one pack; default: a new pack. */
  key?: string;
}

export class UnknownWorkspace extends Error {}
export class InvalidPack extends Error {}

/** Today in Italy, as YYYY-MM-DD: packs are bought and expire on Italian days. */
export function italianToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(now);
}

/**
 * Adds prepaid packs to a workspace: the platform operator's command line and API, and the packs a
 * tenant file's contract lists. Every pack added is in the workspace's activity log.
 */
@Injectable()
export class BeatPacks {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: BeatsLedger,
    private readonly activity: ActivityLog,
  ) {}

  async add(slug: string, order: PackOrder, actor: ActivityActor): Promise<AddPackOutcome> {
    const tenant = await this.dataSource.getRepository(Tenant).findOneBy({ slug });
    if (!tenant) throw new UnknownWorkspace(`no workspace "${slug}"`);
    return TenantContext.run({ tenantId: tenant.id, slug }, () => this.addHere(order, actor));
  }

  /** The same in the current tenant's scope; `ip`: where an API call came from, for the activity log. */
  async addHere(order: PackOrder, actor: ActivityActor, ip?: string): Promise<AddPackOutcome> {
    const purchased = order.purchased ?? italianToday();
    if (order.expires < purchased) throw new InvalidPack(`the pack would expire (${order.expires}) before it is bought (${purchased})`);
    const outcome = await this.ledger.addPack({
      key: order.key ?? `pack:${randomUUID()}`,
      beats: order.beats,
      purchasedOn: purchased,
      expiresOn: order.expires,
      contract: order.contract ?? null,
      userId: actor === 'system' ? null : actor.id,
    });
    if (outcome.outcome === 'added')
      await this.activity.record({
        action: 'beats.pack-added',
        actor,
        resource: { type: 'beat-pack', id: outcome.packId },
        details: {
          beats: order.beats,
          purchased,
          expires: order.expires,
          contract: order.contract ?? null,
          entryId: outcome.entryId,
          coveredOverdraft: outcome.coveredOverdraft,
        },
        ip,
      });
    return outcome;
  }
}
