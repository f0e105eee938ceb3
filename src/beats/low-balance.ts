import { Injectable, Logger } from '@nestjs/common';
import { DataSource, IsNull, MoreThan, Not } from 'typeorm';
import { ActivityLog, type ActivityActor } from '../audit/activity-log.js';
import { TenantContext } from '../db/tenant-context.js';
import { TenantScopedRepository } from '../db/tenant-scoped.repository.js';
import { BeatsAdminAlerts } from './admin-alert-mail.js';
import { BeatAlertSettings } from './beat-alerts.entities.js';
import { BeatsBalances } from './beats-balance.js';

/** What the desktop and the admin page show while available beats are below the threshold. */
export interface LowBalanceNotice {
  available: number;
  threshold: number;
}

/**
 * The workspace's low-balance threshold and its alert. The alert fires once per crossing: the check
 * after a movement that finds available beats below the threshold sets `low_since` with a conditional
 * UPDATE, and only the check that sets it (one, however many run at once) mails the admins. A later
 * check that finds the beats back at or above the threshold (a pack was bought) clears it, re-arming
 * the alert. Releases do not run the check, so a failed call near the threshold cannot make it flap.
 */
@Injectable()
export class LowBalanceAlert {
  private readonly logger = new Logger(LowBalanceAlert.name);
  private readonly settings: TenantScopedRepository<BeatAlertSettings>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly balances: BeatsBalances,
    private readonly alerts: BeatsAdminAlerts,
    private readonly activity: ActivityLog,
  ) {
    this.settings = new TenantScopedRepository(dataSource, BeatAlertSettings);
  }

  async threshold(): Promise<number | null> {
    return (await this.settings.findOne({}))?.lowBalance ?? null;
  }

  /** Sets (null: removes) the threshold; a new threshold is a new line to cross, so it is checked at once. */
  async setThreshold(lowBalance: number | null, actor: ActivityActor): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO beat_alert_settings (tenant_id, low_balance) VALUES ($1, $2)
       ON CONFLICT (tenant_id) DO UPDATE SET low_balance = EXCLUDED.low_balance, low_since = NULL, updated_at = now()`,
      [TenantContext.current().tenantId, lowBalance],
    );
    await this.activity.record({
      action: 'beats.threshold-changed',
      actor,
      resource: { type: 'beats', id: 'low-balance' },
      details: { lowBalance },
    });
    await this.check();
  }

  /**
   * Run by the meter after a movement that lowers available beats (reserve, debit), once committed.
   * The call it follows is done and charged: an alert that cannot be raised now is logged, not thrown
   * (the next movement checks again, and the banner is computed live).
   */
  async afterMovement(): Promise<void> {
    try {
      await this.check();
    } catch (error) {
      this.logger.warn(`low-balance check failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Alerts if available beats are below the threshold and were not at the last check; re-arms when above. */
  async check(): Promise<void> {
    const threshold = await this.threshold();
    if (threshold === null) return;
    const { available } = await this.balances.current();
    if (available >= threshold) {
      await this.settings.update({ lowSince: Not(IsNull()) }, { lowSince: null });
      return;
    }
    const since = new Date();
    if ((await this.settings.update({ lowSince: IsNull(), lowBalance: MoreThan(available) }, { lowSince: since })) === 0) return;
    await this.activity.record({
      action: 'beats.low-balance',
      actor: 'system',
      resource: { type: 'beats', id: 'low-balance' },
      details: { available, threshold },
    });
    await this.alerts.mail({
      kind: 'beats-low-balance',
      occurrence: String(since.getTime()),
      subject: 'beats.lowBalance.subject',
      text: 'beats.lowBalance.text',
      params: { available: formatBeats(available), threshold: formatBeats(threshold) },
    });
  }

  /** The banner's content, while available beats are below the threshold. */
  async notice(): Promise<LowBalanceNotice | null> {
    const threshold = await this.threshold();
    if (threshold === null) return null;
    const { available } = await this.balances.current();
    return available < threshold ? { available, threshold } : null;
  }
}

/** Beats as Italian offices write numbers (12.345), in mails whose text is Italian or English alike. */
export function formatBeats(beats: number, locale: 'it' | 'en' = 'it'): string {
  return new Intl.NumberFormat(locale === 'it' ? 'it-IT' : 'en-GB').format(beats);
}
