import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ActivityLog } from '../audit/activity-log.js';
import { TenantContext } from '../db/tenant-context.js';
import { HandlesJob } from '../queue/job-handler.js';
import { JobQueues } from '../queue/job-queues.js';
import { QUEUE_NAMES } from '../queue/queue-names.js';
import { BeatsAdminAlerts } from './admin-alert-mail.js';
import { formatBeats } from './low-balance.js';

const WARN_JOB = 'beats-pack-expiry';
/** Days before a pack's expiry when its workspace's admins are warned. */
export const EXPIRY_WARNING_DAYS = [30, 7] as const;

interface ExpiringPack {
  id: string;
  tenant_id: string;
  slug: string;
  remaining: number;
  expires_at: Date;
  days: number;
}

/**
 * Warns a workspace's admins that a pack with beats left will expire (30 and 7 days before): an
 * hourly housekeeping job across tenants. A warning is sent by the job that inserts its
 * beat_pack_warnings row, so each pack gets each warning once however often the job runs. A pack
 * first seen already within 7 days gets the 7-day warning only (the 30-day one is recorded as done).
 */
@Injectable()
export class PackExpiryWarnings {
  private readonly logger = new Logger(PackExpiryWarnings.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: JobQueues,
    private readonly alerts: BeatsAdminAlerts,
    private readonly activity: ActivityLog,
  ) {}

  /** Registers the hourly run; BullMQ keeps one schedule however many workers call this. */
  async schedule(): Promise<void> {
    await this.queues.get(QUEUE_NAMES.maintenance).upsertJobScheduler(WARN_JOB, { every: 3_600_000 }, { name: WARN_JOB });
  }

  @HandlesJob(QUEUE_NAMES.maintenance, WARN_JOB)
  async warn(): Promise<{ warned: number }> {
    // Across tenants, like the other housekeeping: the smallest warning each pack is due and has not had.
    const due = await this.dataSource.query<ExpiringPack[]>(
      `SELECT DISTINCT ON (p.id) p.id, p.tenant_id, t.slug, p.remaining, p.expires_at, d.days
         FROM beat_packs p
         JOIN tenants t ON t.id = p.tenant_id
         CROSS JOIN unnest($1::int[]) AS d(days)
        WHERE p.remaining > 0 AND p.expires_at > now() AND p.expires_at <= now() + d.days * interval '1 day'
          AND NOT EXISTS (SELECT 1 FROM beat_pack_warnings w WHERE w.pack_id = p.id AND w.days = d.days)
        ORDER BY p.id, d.days`,
      [[...EXPIRY_WARNING_DAYS]],
    );
    let warned = 0;
    for (const pack of due)
      if (await TenantContext.run({ tenantId: pack.tenant_id, slug: pack.slug }, () => this.warnOne(pack))) warned += 1;
    if (warned > 0) this.logger.log(`warned of ${warned} expiring beats packs`);
    return { warned };
  }

  private async warnOne(pack: ExpiringPack): Promise<boolean> {
    // This warning and the longer ones it makes moot, in one statement: whoever inserts the row mails.
    const inserted = await this.dataSource.query<{ days: number }[]>(
      `INSERT INTO beat_pack_warnings (pack_id, days, tenant_id)
       SELECT $1, d, $2 FROM unnest($3::int[]) AS d WHERE d >= $4
       ON CONFLICT DO NOTHING RETURNING days`,
      [pack.id, pack.tenant_id, [...EXPIRY_WARNING_DAYS], pack.days],
    );
    if (!inserted.some((row) => row.days === pack.days)) return false;
    const expires = new Intl.DateTimeFormat('it-IT', { timeZone: 'Europe/Rome', dateStyle: 'short' }).format(pack.expires_at);
    await this.activity.record({
      action: 'beats.pack-expiring',
      actor: 'system',
      resource: { type: 'beat-pack', id: pack.id },
      details: { days: pack.days, remaining: pack.remaining },
    });
    await this.alerts.mail({
      kind: 'beats-pack-expiring',
      occurrence: `${pack.id}:${pack.days}`,
      subject: 'beats.packExpiring.subject',
      text: 'beats.packExpiring.text',
      params: { days: pack.days, expires, remaining: formatBeats(pack.remaining) },
    });
    return true;
  }
}
