import { dueOf, type StartTimerSpec } from './start-timer-plan.js';

const from = new Date('2026-03-02T08:00:00Z');
const spec = (kind: StartTimerSpec['kind'], value: string): StartTimerSpec => ({ elementId: 'Start', kind, value });

describe('start timer plan', () => {
  it('fires a bounded cycle n times, one period apart, then stops', () => {
    const cycle = spec('timeCycle', 'R3/PT1H');
    const first = dueOf(cycle, 1, null, from)!;
    const second = dueOf(cycle, 2, first, from)!;
    const third = dueOf(cycle, 3, second, from)!;
    expect([first, second, third].map((d) => d.toISOString())).toEqual([
      '2026-03-02T09:00:00.000Z',
      '2026-03-02T10:00:00.000Z',
      '2026-03-02T11:00:00.000Z',
    ]);
    expect(dueOf(cycle, 4, third, from)).toBeNull();
  });

  it('repeats an unbounded cycle, and follows a cycle anchored on a start date', () => {
    expect(dueOf(spec('timeCycle', 'R/PT1H'), 500, new Date('2026-03-02T08:00:00Z'), from)?.toISOString()).toBe('2026-03-02T09:00:00.000Z');
    const daily = spec('timeCycle', 'R/2026-01-01T07:30:00Z/P1D');
    expect(dueOf(daily, 1, null, from)?.toISOString()).toBe('2026-03-03T07:30:00.000Z');
  });

  it('fires a duration and a future date once; a past date never', () => {
    expect(dueOf(spec('timeDuration', 'PT10M'), 1, null, from)?.toISOString()).toBe('2026-03-02T08:10:00.000Z');
    expect(dueOf(spec('timeDuration', 'PT10M'), 2, new Date(), from)).toBeNull();
    expect(dueOf(spec('timeDate', '2026-04-01T00:00:00Z'), 1, null, from)?.toISOString()).toBe('2026-04-01T00:00:00.000Z');
    expect(dueOf(spec('timeDate', '2026-01-01T00:00:00Z'), 1, null, from)).toBeNull();
  });
});
