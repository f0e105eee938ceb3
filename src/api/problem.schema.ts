import type { ApiResponseSchemaHost } from '@nestjs/swagger';

/** OpenAPI description of the problem+json body every error uses (RFC 9457). */
export const problemSchema: ApiResponseSchemaHost['schema'] = {
  type: 'object',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', example: 'urn:pecflow:problem:invalid-credentials' },
    title: { type: 'string', description: "Translated into the request's language", example: 'Credenziali non valide' },
    status: { type: 'integer', example: 401 },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
    retryAfterSeconds: { type: 'integer' },
    balance: { type: 'integer', description: 'beats-exhausted: the beats available when the operation was refused' },
    shortfall: { type: 'integer', description: 'beats-exhausted: how many more beats the operation needed' },
  },
};
