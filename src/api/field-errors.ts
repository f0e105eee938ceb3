import type { z } from 'zod';
import type { Locale } from '../i18n/locale.js';
import { translate } from '../i18n/translate.js';
import { ProblemException, type FieldError } from './problem.js';

/** Each wrong field of a body with a message in the user's language (zod's own messages are English only). */
export function fieldErrors(issues: readonly z.core.$ZodIssue[], body: unknown, locale: Locale): FieldError[] {
  return issues.map((issue) => ({ field: issue.path.join('.') || '(body)', message: describe(issue, body, locale) }));
}

/** Parses a body with its schema; a mismatch is a 422 problem whose field errors are translated. */
export function parseFields<S extends z.ZodType>(schema: S, body: unknown, locale: Locale): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  throw new ProblemException(422, 'validation', undefined, { errors: fieldErrors(parsed.error.issues, body, locale) });
}

function describe(issue: z.core.$ZodIssue, body: unknown, locale: Locale): string {
  switch (issue.code) {
    case 'invalid_type':
      return translate(locale, valueAt(body, issue.path) === undefined ? 'field.required' : 'field.invalid');
    case 'invalid_format':
      return translate(locale, issue.format === 'email' ? 'field.email' : 'field.invalid');
    case 'invalid_value':
      return translate(locale, 'field.choice', { choices: issue.values.map(String).join(', ') });
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return translate(locale, 'field.required');
      return translate(locale, issue.origin === 'string' ? 'field.tooShort' : 'field.tooSmall', { min: String(issue.minimum) });
    case 'too_big':
      return translate(locale, issue.origin === 'string' ? 'field.tooLong' : 'field.tooBig', { max: String(issue.maximum) });
    default:
      return translate(locale, 'field.invalid');
  }
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value = body;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
