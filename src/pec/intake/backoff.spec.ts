import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('doubles from one second and never passes the cap, whatever the number of failures', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 60_000, () => 1))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(backoffDelay(50, 60_000, () => 1)).toBe(60_000);
    expect(backoffDelay(1_000, 60_000, () => 0)).toBe(30_000);
  });

  it('keeps at least half of the ceiling so a failing provider is not hammered', () => {
    expect(backoffDelay(3, 60_000, () => 0)).toBe(2_000);
  });
});
