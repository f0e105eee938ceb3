import { bucketCurve, curveChart, type MinuteCount } from './delivery-curve.js';

const minute = (iso: string) => Date.parse(iso) / 60_000;

describe('delivery curve', () => {
  it('counts per minute, with zero minutes between events', () => {
    const rows: MinuteCount[] = [
      { series: 'sent', minute: minute('2026-11-26T10:00:00Z'), n: 30 },
      { series: 'sent', minute: minute('2026-11-26T10:02:00Z'), n: 10 },
      { series: 'delivered', minute: minute('2026-11-26T10:02:00Z'), n: 25 },
    ];
    expect(bucketCurve(rows)).toEqual({
      bucketMinutes: 1,
      points: [
        { at: '2026-11-26T10:00:00.000Z', sent: 30, delivered: 0, failed: 0 },
        { at: '2026-11-26T10:01:00.000Z', sent: 0, delivered: 0, failed: 0 },
        { at: '2026-11-26T10:02:00.000Z', sent: 10, delivered: 25, failed: 0 },
      ],
    });
  });

  it('widens the buckets to round minutes when the campaign spans more than the chart can show', () => {
    // A day of monitoring: 1,440 minutes into 15-minute buckets (96 points), the counts summed.
    const start = minute('2026-11-26T00:00:00Z');
    const rows: MinuteCount[] = [
      { series: 'sent', minute: start, n: 1 },
      { series: 'sent', minute: start + 14, n: 2 },
      { series: 'failed', minute: start + 1439, n: 4 },
    ];
    const curve = bucketCurve(rows);
    expect(curve.bucketMinutes).toBe(15);
    expect(curve.points).toHaveLength(96);
    expect(curve.points[0]).toMatchObject({ sent: 3, failed: 0 });
    expect(curve.points.at(-1)).toMatchObject({ at: '2026-11-26T23:45:00.000Z', failed: 4 });
  });

  it('draws nothing without events, and scales the lines to the busiest bucket', () => {
    expect(curveChart({ bucketMinutes: 1, points: [] }, (iso) => iso)).toBeNull();
    const chart = curveChart(
      {
        bucketMinutes: 1,
        points: [
          { at: '2026-11-26T10:00:00.000Z', sent: 10, delivered: 0, failed: 0 },
          { at: '2026-11-26T10:01:00.000Z', sent: 5, delivered: 10, failed: 0 },
        ],
      },
      (iso) => iso.slice(11, 16),
    )!;
    expect(chart.most).toBe(10);
    expect(chart.lines.find((line) => line.series === 'sent')!.points).toBe('48,12 628,102');
    expect(chart.lines.find((line) => line.series === 'delivered')!.points).toBe('48,192 628,12');
    expect([chart.from, chart.to]).toEqual(['10:00', '10:01']);
  });
});
