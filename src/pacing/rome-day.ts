import { romeWallClock } from '../i18n/rome-time.js';

/** The calendar day in Italy that `now` falls in: its `YYYY-MM-DD` and the instant it ends (the next midnight in Rome, ms). */
export function romeDay(now: number): { key: string; endsAt: number } {
  const key = romeWallClock(new Date(now)).toISOString().slice(0, 10);
  const [year, month, day] = key.split('-').map(Number) as [number, number, number];
  // Midnight of the next day on Rome's wall clock, moved by Rome's offset just before it (CET or CEST).
  const naive = Date.UTC(year, month - 1, day + 1);
  const before = naive - 2 * 3_600_000;
  return { key, endsAt: naive - (romeWallClock(new Date(before)).getTime() - before) };
}
