import { z } from 'zod';
import { ProblemException } from './problem.js';

/** Parses a JSON body with its schema; a mismatch is a 400 problem listing each wrong field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  throw new ProblemException(400, 'validation', undefined, {
    errors: parsed.error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', message: issue.message })),
  });
}

/** The OpenAPI schema of a zod schema, for @ApiBody / @ApiResponse. */
export function openApiSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'openapi-3.0' }) as Record<string, unknown>;
  return rest;
}
