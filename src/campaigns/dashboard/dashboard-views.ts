import type { Locale } from '../../i18n/locale.js';
import { translate, type MessageKey } from '../../i18n/translate.js';
import type { StateCounts } from './campaign-dashboard.js';
import { CURVE_SERIES, curveChart, type Curve } from './delivery-curve.js';
import type { RecipientRow } from './dashboard-input.js';

/** The icons of the dashboard, in the order a recipient goes through them; each is also a drill-down filter. */
export const TILE_STATES = ['queued', 'sending', 'sent', 'accepted', 'delivered', 'warned', 'failed'] as const;

const stateLabel = (locale: Locale, state: string) => translate(locale, `campaignReport.state.${state}` as MessageKey);

/** Counts as tiles: icon, number and words (never colour alone), linking to the recipients in that state. */
export function stateTiles(locale: Locale, counts: StateCounts, campaignId?: string) {
  return TILE_STATES.map((state) => ({
    state,
    label: stateLabel(locale, state),
    count: counts[state],
    href: campaignId ? `/campaigns/${campaignId}/recipients?state=${state}` : null,
  }));
}

export function timeText(locale: Locale, iso: string | null, withDate = false): string {
  if (iso === null) return '';
  return new Intl.DateTimeFormat(locale === 'it' ? 'it-IT' : 'en-GB', {
    ...(withDate ? { dateStyle: 'short' as const } : {}),
    timeStyle: 'short',
    timeZone: 'Europe/Rome',
  }).format(new Date(iso));
}

/** The curve partial's model: the SVG geometry, a legend in words and the same numbers as a table. */
export function curveView(locale: Locale, curve: Curve) {
  const chart = curveChart(curve, (iso) => timeText(locale, iso, true));
  if (!chart) return null;
  return {
    chart,
    bucket: translate(locale, 'campaigns.dashboard.bucket', { minutes: curve.bucketMinutes }),
    legend: CURVE_SERIES.map((series) => ({ series, label: translate(locale, `campaigns.dashboard.series.${series}`) })),
    rows: curve.points.map((point) => ({ ...point, time: timeText(locale, point.at, true) })),
  };
}

export function recipientView(locale: Locale, row: RecipientRow) {
  const last =
    row.times.failedAt ?? row.times.deliveredAt ?? row.times.warnedAt ?? row.times.acceptedAt ?? row.times.sentAt ?? row.times.attemptedAt;
  return { ...row, stateLabel: stateLabel(locale, row.state), lastAt: last, lastText: timeText(locale, last, true) };
}

/** The drill-down's filter choices: every state a recipient can be in. */
export function stateOptions(locale: Locale, selected: string | undefined) {
  return [...TILE_STATES, 'failed-timeout', 'invalid'].map((state) => ({
    state,
    label: stateLabel(locale, state),
    selected: state === selected,
  }));
}
