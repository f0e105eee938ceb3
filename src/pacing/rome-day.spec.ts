import { romeDay } from './rome-day.js';

describe('the Italian calendar day of the daily quota', () => {
  it('ends at midnight in Rome, in winter (CET) and in summer (CEST)', () => {
    expect(romeDay(Date.parse('2026-11-26T06:30:00Z'))).toEqual({ key: '2026-11-26', endsAt: Date.parse('2026-11-26T23:00:00Z') });
    expect(romeDay(Date.parse('2026-07-01T22:30:00Z'))).toEqual({ key: '2026-07-02', endsAt: Date.parse('2026-07-02T22:00:00Z') });
  });

  it('starts the day at midnight in Rome, not in UTC', () => {
    expect(romeDay(Date.parse('2026-11-26T23:00:00Z')).key).toBe('2026-11-27');
    expect(romeDay(Date.parse('2026-11-26T22:59:59Z')).key).toBe('2026-11-26');
  });

  it('knows the days the clocks change (23 and 25 hours long)', () => {
    // 2026-03-29: CET → CEST; the day after starts at 22:00 UTC. 2026-10-25: CEST → CET, ends at 23:00 UTC.
    expect(romeDay(Date.parse('2026-03-29T10:00:00Z')).endsAt).toBe(Date.parse('2026-03-29T22:00:00Z'));
    expect(romeDay(Date.parse('2026-10-25T10:00:00Z')).endsAt).toBe(Date.parse('2026-10-25T23:00:00Z'));
  });
});
