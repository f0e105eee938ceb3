/**
 * The dashboard's sending-rate and delivery curve (decision 0027): recipients counted per minute from their
 * per-state timestamps (`sent_at`, `delivered_at`, `failed_at`), then gathered into wider buckets when the
 * campaign spans more minutes than a chart can show legibly, so the page and the SSE payload stay small
 * whether the campaign took five minutes or three days.
 */
export const CURVE_SERIES = ['sent', 'delivered', 'failed'] as const;
export type CurveSeries = (typeof CURVE_SERIES)[number];

/** One grouped count from the database: how many recipients reached `series` in the minute `minute` (epoch minutes). */
export interface MinuteCount {
  series: CurveSeries;
  minute: number;
  n: number;
}

export interface CurvePoint {
  /** Start of the bucket, ISO 8601. */
  at: string;
  sent: number;
  delivered: number;
  failed: number;
}

export interface Curve {
  bucketMinutes: number;
  points: CurvePoint[];
}

/** Bucket widths in minutes: round numbers a reader recognises on the axis. */
const WIDTHS = [1, 2, 5, 10, 15, 30, 60, 120, 240, 360, 720, 1440];
export const MAX_POINTS = 120;

/** Every bucket from the first event to the last, zeros included: a rate curve without gaps. */
export function bucketCurve(rows: readonly MinuteCount[], maxPoints = MAX_POINTS): Curve {
  if (rows.length === 0) return { bucketMinutes: 1, points: [] };
  const first = Math.min(...rows.map((row) => row.minute));
  const last = Math.max(...rows.map((row) => row.minute));
  const span = last - first + 1;
  const bucketMinutes = WIDTHS.find((width) => Math.ceil(span / width) <= maxPoints) ?? Math.ceil(span / maxPoints);
  const start = Math.floor(first / bucketMinutes) * bucketMinutes;
  const count = Math.floor(last / bucketMinutes) - start / bucketMinutes + 1;
  const points: CurvePoint[] = Array.from({ length: count }, (_, index) => ({
    at: new Date((start + index * bucketMinutes) * 60_000).toISOString(),
    sent: 0,
    delivered: 0,
    failed: 0,
  }));
  for (const row of rows) points[Math.floor((row.minute - start) / bucketMinutes)]![row.series] += row.n;
  return { bucketMinutes, points };
}

/** Geometry of the curve as inline SVG (the `campaign-curve` partial): no script, no chart library. */
export interface CurveChart {
  width: number;
  height: number;
  /** The plot area. */
  left: number;
  right: number;
  top: number;
  bottom: number;
  lines: { series: CurveSeries; points: string }[];
  /** The largest count in one bucket: the top of the y axis. */
  most: number;
  from: string;
  to: string;
}

const WIDTH = 640;
const HEIGHT = 220;
const MARGIN = { left: 48, right: 12, top: 12, bottom: 28 };

export function curveChart(curve: Curve, time: (iso: string) => string): CurveChart | null {
  if (curve.points.length === 0) return null;
  const most = Math.max(1, ...curve.points.flatMap((point) => CURVE_SERIES.map((series) => point[series])));
  const right = WIDTH - MARGIN.right;
  const bottom = HEIGHT - MARGIN.bottom;
  const step = curve.points.length > 1 ? (right - MARGIN.left) / (curve.points.length - 1) : 0;
  const x = (index: number) => (curve.points.length > 1 ? MARGIN.left + index * step : (MARGIN.left + right) / 2);
  const y = (value: number) => bottom - (value / most) * (bottom - MARGIN.top);
  return {
    width: WIDTH,
    height: HEIGHT,
    left: MARGIN.left,
    right,
    top: MARGIN.top,
    bottom,
    lines: CURVE_SERIES.map((series) => ({
      series,
      points: curve.points.map((point, index) => `${round(x(index))},${round(y(point[series]))}`).join(' '),
    })),
    most,
    from: time(curve.points[0]!.at),
    to: time(curve.points.at(-1)!.at),
  };
}

const round = (value: number) => Math.round(value * 10) / 10;
