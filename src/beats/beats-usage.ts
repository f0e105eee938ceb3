import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import type { Principal } from '../access/principal.js';
import { Visibility } from '../access/visibility.js';
import type { Locale } from '../i18n/locale.js';
import { translate } from '../i18n/translate.js';
import { UserRepository } from '../identity/user.repository.js';
import { italianToday } from './beat-packs.js';
import { BeatLedgerRepository } from './beats.repositories.js';

export const USAGE_GROUPS = ['plug', 'day', 'month', 'user', 'campaign'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

/** A period of Italian days, both included (YYYY-MM-DD). */
export interface UsagePeriod {
  from: string;
  to: string;
}

export interface UsageRow {
  /** The plug, the day (YYYY-MM-DD), the month (YYYY-MM), the user or campaign id; null: none (e.g. the platform's own calls). */
  key: string | null;
  /** The key as people read it: a user's name and e-mail, "Piattaforma" for null… */
  label: string;
  beats: number;
  units: number;
  calls: number;
  /** Beats of these calls that no credit covered (incoming PEC with no balance). */
  overdraft: number;
}

export interface UsageReport {
  period: UsagePeriod;
  groupBy: UsageGroup;
  rows: UsageRow[];
  total: Omit<UsageRow, 'key' | 'label'>;
}

/** The SQL of each grouping; days and months are Italian, like the packs and the invoices. */
const GROUP_KEYS: Record<UsageGroup, string> = {
  plug: 'l.plug',
  day: `to_char(l.created_at AT TIME ZONE 'Europe/Rome', 'YYYY-MM-DD')`,
  month: `to_char(l.created_at AT TIME ZONE 'Europe/Rome', 'YYYY-MM')`,
  user: 'l.user_id::text',
  campaign: 'l.campaign_id::text',
};

/** The default period: this month so far. */
export function currentMonth(): UsagePeriod {
  const today = italianToday();
  return { from: `${today.slice(0, 8)}01`, to: today };
}

/**
 * Usage = the ledger's debits (docs/decisions/0022): summed by plug, Italian day or month, user or
 * campaign over a period. One aggregate query on the partial index of debits (migration
 * 1766500000000), through the tenant-scoped repository and the principal's reach on `beats`
 * (docs/decisions/0023): what they may not see is not summed.
 */
@Injectable()
export class BeatsUsage {
  constructor(
    private readonly entries: BeatLedgerRepository,
    private readonly users: UserRepository,
    private readonly visibility: Visibility,
  ) {}

  async report(principal: Principal, period: UsagePeriod, groupBy: UsageGroup, locale: Locale): Promise<UsageReport> {
    const key = GROUP_KEYS[groupBy];
    const query = this.entries
      .query('l')
      .andWhere(`l.kind = 'debit'`)
      .andWhere(`l.created_at >= CAST(:from AS date)::timestamp AT TIME ZONE 'Europe/Rome'`, { from: period.from })
      .andWhere(`l.created_at < (CAST(:to AS date) + 1)::timestamp AT TIME ZONE 'Europe/Rome'`, { to: period.to });
    await this.visibility.restrict(query, 'l', 'beats', 'see', principal);
    const raw = await query
      .select(key, 'key')
      .addSelect('sum(l.beats)', 'beats')
      .addSelect('sum(l.units)', 'units')
      .addSelect('count(*)', 'calls')
      .addSelect('sum(l.overdraft)', 'overdraft')
      .groupBy(key)
      .orderBy(groupBy === 'day' || groupBy === 'month' ? key : 'sum(l.beats)', groupBy === 'day' || groupBy === 'month' ? 'ASC' : 'DESC')
      .addOrderBy(key, 'ASC', 'NULLS LAST')
      .getRawMany<{ key: string | null; beats: string; units: string; calls: string; overdraft: string }>();
    const labels = await this.labels(
      groupBy,
      raw.map((row) => row.key),
      locale,
    );
    const rows = raw.map((row) => ({
      key: row.key,
      label: labels.get(row.key) ?? row.key ?? '',
      beats: Number(row.beats),
      units: Number(row.units),
      calls: Number(row.calls),
      overdraft: Number(row.overdraft),
    }));
    const total = { beats: 0, units: 0, calls: 0, overdraft: 0 };
    for (const row of rows) {
      total.beats += row.beats;
      total.units += row.units;
      total.calls += row.calls;
      total.overdraft += row.overdraft;
    }
    return { period, groupBy, rows, total };
  }

  /** Users by name; calls on nobody's behalf (incoming PEC) and outside campaigns named as such. */
  private async labels(groupBy: UsageGroup, keys: (string | null)[], locale: Locale): Promise<Map<string | null, string>> {
    const labels = new Map<string | null, string>();
    if (groupBy === 'user') {
      labels.set(null, translate(locale, 'beats.usage.platform'));
      const ids = keys.filter((key): key is string => key !== null);
      for (const user of ids.length > 0 ? await this.users.find({ id: In(ids) }) : [])
        labels.set(user.id, `${user.displayName} <${user.email}>`);
    }
    if (groupBy === 'campaign') labels.set(null, translate(locale, 'beats.usage.noCampaign'));
    return labels;
  }
}
