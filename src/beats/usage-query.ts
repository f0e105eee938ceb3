import { z } from 'zod';
import { parseBody } from '../api/zod-body.js';
import { italianToday } from './beat-packs.js';
import { USAGE_GROUPS, currentMonth, type UsageGroup, type UsagePeriod } from './beats-usage.js';

export const USAGE_FORMATS = ['json', 'csv', 'xlsx'] as const;
export type UsageFormat = (typeof USAGE_FORMATS)[number];

/** Longest period one report covers: a daily chart of more is unreadable, and it bounds the query. */
const MAX_DAYS = 366 * 3;

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD')
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value), {
    message: 'not a calendar day',
  });

const usageQuery = z
  .object({
    from: day.optional(),
    to: day.optional(),
    groupBy: z.enum(USAGE_GROUPS).default('plug'),
    format: z.enum(USAGE_FORMATS).default('json'),
  })
  .transform(({ from, to, ...rest }) => {
    const period: UsagePeriod = from || to ? { from: from ?? to!, to: to ?? italianToday() } : currentMonth();
    return { period, ...rest };
  })
  .refine(({ period }) => period.from <= period.to, { message: 'from is after to', path: ['from'] })
  .refine(({ period }) => daysBetween(period) <= MAX_DAYS, { message: `at most ${MAX_DAYS} days`, path: ['to'] });

export interface UsageQuery {
  period: UsagePeriod;
  groupBy: UsageGroup;
  format: UsageFormat;
}

/** `?from=&to=&groupBy=&format=` of the API and the admin page; empty fields are absent. 400 problem when wrong. */
export function parseUsageQuery(query: Record<string, unknown>): UsageQuery {
  const present = Object.fromEntries(Object.entries(query).filter(([, value]) => value !== ''));
  return parseBody(usageQuery, present);
}

function daysBetween({ from, to }: UsagePeriod): number {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
}
