import { Injectable } from '@nestjs/common';
import type { Principal } from '../access/principal.js';
import type { Locale } from '../i18n/locale.js';
import { translate } from '../i18n/translate.js';
import { BeatsBalances } from './beats-balance.js';
import { BeatsUsage, type UsageGroup, type UsagePeriod, type UsageRow } from './beats-usage.js';
import { LowBalanceAlert, formatBeats } from './low-balance.js';
import { EXPIRY_WARNING_DAYS } from './pack-expiry-warnings.js';
import { barChart, fillPeriod } from './usage-chart.js';

/** The charts of the page, each with its table and exports. */
const CHARTS: UsageGroup[] = ['day', 'month', 'plug', 'user'];
/** A daily chart of a longer period shows only the days with usage. */
const FILL_DAYS_UP_TO = 62;

/** The model of admin-beats.hbs: the same services as the API, in the user's language. */
@Injectable()
export class BeatsPageView {
  constructor(
    private readonly balances: BeatsBalances,
    private readonly usage: BeatsUsage,
    private readonly lowBalance: LowBalanceAlert,
  ) {}

  async build(principal: Principal, period: UsagePeriod, locale: Locale) {
    const number = (beats: number) => formatBeats(beats, locale);
    const date = (at: Date) =>
      new Intl.DateTimeFormat(locale === 'it' ? 'it-IT' : 'en-GB', { dateStyle: 'medium', timeZone: 'Europe/Rome' }).format(at);
    const balance = await this.balances.current();
    const soon = Date.now() + EXPIRY_WARNING_DAYS[0] * 86_400_000;
    const charts = [];
    for (const groupBy of CHARTS) {
      const report = await this.usage.report(principal, period, groupBy, locale);
      const spanDays = (Date.parse(period.to) - Date.parse(period.from)) / 86_400_000;
      const rows: UsageRow[] =
        groupBy === 'month' || (groupBy === 'day' && spanDays <= FILL_DAYS_UP_TO)
          ? fillPeriod(report.rows, period.from, period.to, groupBy)
          : report.rows;
      const query = new URLSearchParams({ from: period.from, to: period.to, groupBy });
      charts.push({
        id: `chart-${groupBy}`,
        title: translate(locale, `beats.usage.by.${groupBy}`),
        keyHeader: translate(locale, `beats.usage.group.${groupBy}`),
        empty: report.rows.length === 0,
        chart: barChart(rows, number),
        rows: report.rows.map((row) => ({
          ...row,
          beatsText: number(row.beats),
          unitsText: number(row.units),
          callsText: number(row.calls),
        })),
        total: number(report.total.beats),
        csv: `/admin/beats/export?${query.toString()}&format=csv`,
        xlsx: `/admin/beats/export?${query.toString()}&format=xlsx`,
      });
    }
    const low = await this.lowBalance.notice();
    return {
      period,
      balance: { balance: number(balance.balance), reserved: number(balance.reserved), available: number(balance.available) },
      packs: balance.packs.map((pack) => ({
        beats: number(pack.beats),
        remaining: number(pack.remaining),
        expires: date(pack.expiresAt),
        expiringSoon: pack.remaining > 0 && pack.expiresAt.getTime() <= soon,
      })),
      lowNotice: low
        ? translate(locale, 'beats.lowBalance.banner', { available: number(low.available), threshold: number(low.threshold) })
        : null,
      threshold: await this.lowBalance.threshold(),
      charts,
    };
  }
}
