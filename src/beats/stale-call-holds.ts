import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import { TenantContext } from '../db/tenant-context.js';
import { HandlesJob } from '../queue/job-handler.js';
import { QUEUE_NAMES } from '../queue/queue-names.js';
import { ATTEMPT, BeatsMeter } from './beats-meter.js';

/** Its maintenance job, scheduled by the worker (scheduleHoldSweeps). */
export const STALE_CALL_HOLDS_JOB = 'beats-stale-call-holds';

interface StaleHold {
  id: string;
  tenant_id: string;
  slug: string;
  plug: string;
  idempotency_key: string;
}

/**
 * Releases the reservations of plug-call attempts that died between reserve and debit (a worker
 * killed mid-call, decision 0029): an attempt's hold (`<plug>:<key>:attempt:<uuid>`) still open
 * BEATS_CALL_HOLD_STALE_MS after it was taken, longer than any call runs, was left by a process that
 * will not come back for it. A retry of the call reserves afresh under a new attempt key, so the old
 * hold only ever kept beats from being available. Housekeeping across tenants on a maintenance
 * schedule; each release is one statement that closes the reservation, so a sweep that dies midway
 * or runs twice releases each hold once. An attempt that outlived the bound and finishes after all is
 * still charged (BeatsMeter: a debit whose hold is gone is charged without it).
 */
@Injectable()
export class StaleCallHolds {
  private readonly logger = new Logger(StaleCallHolds.name);

  constructor(
    private readonly meter: BeatsMeter,
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @HandlesJob(QUEUE_NAMES.maintenance, STALE_CALL_HOLDS_JOB)
  async sweep(): Promise<{ released: number }> {
    const stale = await this.dataSource.query<StaleHold[]>(
      `SELECT r.id, r.tenant_id, t.slug, r.plug, r.idempotency_key
         FROM beat_reservations r JOIN tenants t ON t.id = r.tenant_id
        WHERE r.status = 'open' AND r.created_at < now() - $1 * interval '1 millisecond'
          AND strpos(r.idempotency_key, $2) > 0
        ORDER BY r.created_at LIMIT 1000`,
      [this.config.BEATS_CALL_HOLD_STALE_MS, `:${ATTEMPT}`],
    );
    for (const hold of stale) {
      // The call's key, as the activity log names the call: the reservation key without plug and attempt.
      const key = hold.idempotency_key.slice(hold.plug.length + 1, hold.idempotency_key.lastIndexOf(`:${ATTEMPT}`));
      await TenantContext.run({ tenantId: hold.tenant_id, slug: hold.slug }, () =>
        this.meter.release(hold.id, { plug: hold.plug, key, principal: null }),
      );
    }
    if (stale.length > 0) this.logger.warn(`released ${stale.length} beats holds of plug calls that never settled`);
    return { released: stale.length };
  }
}
