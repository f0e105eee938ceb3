import type { UsageRow } from './beats-usage.js';

/** Geometry of a horizontal bar chart, drawn by the `beats-chart` partial as inline SVG (no script, no CDN). */
export interface BarChart {
  width: number;
  height: number;
  /** Labels are right-aligned at axisX; bars start at barX. */
  axisX: number;
  barX: number;
  bars: { label: string; value: string; y: number; barWidth: number; textY: number; valueX: number }[];
}

const WIDTH = 640;
const LABEL_WIDTH = 200;
const VALUE_WIDTH = 70;
const ROW = 24;
const BAR = 16;

/** Bars proportional to beats, longest = the full width; labels cut to fit (the table beside has them whole). */
export function barChart(rows: readonly Pick<UsageRow, 'label' | 'beats'>[], format: (beats: number) => string): BarChart {
  const most = Math.max(1, ...rows.map((row) => row.beats));
  const span = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  return {
    width: WIDTH,
    height: Math.max(ROW, rows.length * ROW),
    axisX: LABEL_WIDTH - 8,
    barX: LABEL_WIDTH,
    bars: rows.map((row, index) => {
      const barWidth = Math.round((row.beats / most) * span);
      return {
        label: row.label.length > 30 ? `${row.label.slice(0, 29)}…` : row.label,
        value: format(row.beats),
        y: index * ROW + (ROW - BAR) / 2,
        barWidth,
        textY: index * ROW + ROW / 2 + 4,
        valueX: LABEL_WIDTH + barWidth + 6,
      };
    }),
  };
}

/** Every day (or month) of the period, with 0 where nothing was used: a time chart without gaps. */
export function fillPeriod(rows: readonly UsageRow[], from: string, to: string, unit: 'day' | 'month'): UsageRow[] {
  const byKey = new Map(rows.map((row) => [row.key, row]));
  const filled: UsageRow[] = [];
  const cursor = new Date(`${unit === 'day' ? from : `${from.slice(0, 7)}-01`}T00:00:00Z`);
  const end = new Date(`${to}T00:00:00Z`);
  while (cursor <= end) {
    const key = cursor.toISOString().slice(0, unit === 'day' ? 10 : 7);
    filled.push(byKey.get(key) ?? { key, label: key, beats: 0, units: 0, calls: 0, overdraft: 0 });
    if (unit === 'day') cursor.setUTCDate(cursor.getUTCDate() + 1);
    else cursor.setUTCMonth(cursor.getUTCMonth() + 1);
  }
  return filled;
}
