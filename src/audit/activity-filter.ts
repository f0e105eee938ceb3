import { z } from 'zod';

export const ACTIVITY_PAGE_MAX = 500;

const timeBound = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })])
  .describe('a day (YYYY-MM-DD, Italian time, whole day included) or an instant with its offset');

/** The filters of the activity log, as the API's query string and the page's form send them. */
export const activityQuery = z.strictObject({
  actor: z.string().trim().max(320).optional().describe("part of the actor's e-mail (or `system`)"),
  action: z
    .string()
    .trim()
    .toLowerCase()
    .max(100)
    .regex(/^[a-z0-9.-]+$/)
    .optional()
    .describe('the action or its start, e.g. `auth.` or `auth.sign-in`'),
  resourceType: z.string().trim().max(100).optional(),
  resourceId: z.string().trim().max(200).optional(),
  from: timeBound.optional(),
  to: timeBound.optional(),
  limit: z.coerce.number().int().min(1).max(ACTIVITY_PAGE_MAX).default(50),
  cursor: z.coerce.number().int().positive().optional().describe('`next` of the previous page'),
});

export type ActivityQuery = z.infer<typeof activityQuery>;

/** A bound on `at`: a whole calendar day, or an exact instant. */
export type TimeBound = { day: string } | { instant: Date };

export interface ActivityFilter {
  actor?: string;
  action?: string;
  resourceType?: string;
  resourceId?: string;
  /** Inclusive. */
  from?: TimeBound;
  /** Inclusive: a day bound takes in the whole day. */
  to?: TimeBound;
  limit: number;
  /** Only entries older than this seq. */
  cursor?: number;
}

/** An empty form field, or `?actor=`, means "no filter", not "match the empty string". */
export function withoutBlanks(raw: unknown): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object') return {};
  return Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== '' && value !== undefined));
}

function bound(value: string | undefined): TimeBound | undefined {
  if (value === undefined) return undefined;
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? { day: value } : { instant: new Date(value) };
}

export function toFilter(query: ActivityQuery): ActivityFilter {
  const { from, to, ...rest } = query;
  return { ...rest, from: bound(from), to: bound(to) };
}

/** The filters only (no paging), as a query string for export links and the next page. */
export function filterQueryString(query: ActivityQuery, extra: Record<string, string> = {}): string {
  const { limit: _limit, cursor: _cursor, ...filters } = query;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...filters, ...extra })) if (value !== undefined) params.set(key, value);
  return params.toString();
}
