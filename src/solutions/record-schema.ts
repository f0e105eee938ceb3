import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import type { FieldError } from '../api/problem.js';
import type { Locale } from '../i18n/locale.js';
import { translate } from '../i18n/translate.js';
import type { FieldModel } from './solution-model.js';

/** What a stored string may hold when the model sets no maxLength: a line, or a long text. */
const DEFAULT_MAX = { string: 1000, text: 100_000, email: 320 } as const;

export type JsonSchema = Record<string, unknown>;

/**
 * The JSON Schema (draft 2020-12 subset) of a set of fields: an entity's record, or a form's
 * submission. No additional properties; `required` only when `partial` is false (a patch sends some fields).
 */
export function schemaOf(fields: Record<string, FieldModel>, options: { partial?: boolean } = {}): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const [name, field] of Object.entries(fields)) properties[name] = propertyOf(field);
  const required = options.partial ? [] : Object.keys(fields).filter((name) => fields[name]!.required);
  return { type: 'object', properties, additionalProperties: false, ...(required.length ? { required } : {}) };
}

function propertyOf(field: FieldModel): JsonSchema {
  switch (field.type) {
    case 'string':
    case 'text':
    case 'email':
      return {
        type: 'string',
        ...(field.type === 'email' ? { format: 'email' } : {}),
        // A required text must say something: blank is as good as missing.
        minLength: field.minLength ?? (field.required ? 1 : 0),
        maxLength: field.maxLength ?? DEFAULT_MAX[field.type],
        ...(field.pattern !== undefined ? { pattern: field.pattern } : {}),
      };
    case 'integer':
    case 'number':
      return {
        type: field.type,
        ...(field.min !== undefined ? { minimum: field.min } : {}),
        ...(field.max !== undefined ? { maximum: field.max } : {}),
      };
    case 'boolean':
      return { type: 'boolean' };
    case 'date':
      return { type: 'string', format: 'date' };
    case 'datetime':
      return { type: 'string', format: 'date-time' };
    case 'enum':
      return { type: 'string', enum: Object.keys(field.options ?? {}) };
    case 'user':
    case 'office':
      // A reference by id; that it exists in the workspace is checked by the record service.
      return { type: 'string', format: 'uuid' };
  }
}

// ajv-formats is CommonJS: imported from ESM, the plugin is the module's `default` property.
type FormatsPlugin = (ajv: Ajv) => Ajv;
const addFormats = (formatsModule as unknown as { default?: FormatsPlugin }).default ?? (formatsModule as unknown as FormatsPlugin);
const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);

const compiled = new WeakMap<JsonSchema, ValidateFunction>();

/** The field errors of `data` against `schema`, in the user's language; empty when valid. */
export function fieldErrors(schema: JsonSchema, data: unknown, locale: Locale): FieldError[] {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(data)) return [];
  const errors = (validate.errors ?? []).map((error) => describe(error, locale));
  // One message per field: the first is the most basic (missing, wrong type) in ajv's order.
  return errors.filter((error, i) => errors.findIndex((other) => other.field === error.field) === i);
}

function describe(error: ErrorObject, locale: Locale): FieldError {
  const params = error.params as Record<string, unknown>;
  const field =
    error.keyword === 'required'
      ? String(params.missingProperty)
      : error.keyword === 'additionalProperties'
        ? String(params.additionalProperty)
        : error.instancePath.replace(/^\//, '') || '(data)';
  switch (error.keyword) {
    case 'required':
      return { field, message: translate(locale, 'solutions.error.required') };
    case 'additionalProperties':
      return { field, message: translate(locale, 'solutions.error.unknownField') };
    case 'minLength':
      return {
        field,
        message: translate(locale, Number(params.limit) <= 1 ? 'solutions.error.required' : 'solutions.error.minLength', {
          limit: Number(params.limit),
        }),
      };
    case 'maxLength':
      return { field, message: translate(locale, 'solutions.error.maxLength', { limit: Number(params.limit) }) };
    case 'minimum':
      return { field, message: translate(locale, 'solutions.error.minimum', { limit: Number(params.limit) }) };
    case 'maximum':
      return { field, message: translate(locale, 'solutions.error.maximum', { limit: Number(params.limit) }) };
    case 'pattern':
      return { field, message: translate(locale, 'solutions.error.pattern') };
    case 'enum':
      return { field, message: translate(locale, 'solutions.error.enum') };
    case 'format':
      return { field, message: translate(locale, `solutions.error.format.${formatKey(String(params.format))}`) };
    default:
      return { field, message: translate(locale, 'solutions.error.type') };
  }
}

function formatKey(format: string): 'email' | 'date' | 'datetime' | 'reference' {
  if (format === 'email') return 'email';
  if (format === 'date') return 'date';
  if (format === 'date-time') return 'datetime';
  return 'reference';
}

/**
 * HTML forms send text: turns it into the values the schema expects (numbers, booleans), and drops
 * empty inputs so an optional field left blank is absent rather than "". Unreadable text stays text,
 * for the schema to refuse with the field's message.
 */
export function coerceFormInput(fields: Record<string, FieldModel>, input: Record<string, unknown>): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(fields)) {
    const raw = input[name];
    if (field.type === 'boolean') {
      if (raw !== undefined) data[name] = raw === 'true' || raw === 'on' || raw === true;
      continue;
    }
    if (typeof raw !== 'string') {
      if (raw !== undefined) data[name] = raw;
      continue;
    }
    const text = field.type === 'text' ? raw : raw.trim();
    if (text === '') continue;
    if (field.type === 'integer' || field.type === 'number') {
      const value = Number(text.replace(',', '.'));
      data[name] = Number.isFinite(value) ? value : text;
    } else data[name] = text;
  }
  return data;
}
