import type { z } from 'zod';

/** A submitted form checked against its schema; on failure the fields that are wrong. */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): { ok: true; data: z.infer<S> } | { ok: false; fields: string[] } {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return { ok: true, data: parsed.data };
  return { ok: false, fields: parsed.error.issues.map((issue) => issue.path.join('.')) };
}

/** Only same-site relative paths are followed after sign-in (no open redirects). */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/';
}
