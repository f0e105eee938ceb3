import type { JsonObject } from './process-instance.entity.js';

/** A task without a model form (camunda:formKey, see task-forms.ts) is completed with free name/value pairs and a note. */
export const FREE_PAIRS = 3;

/** A name the process can use in a condition (`${esito == "approvata"}`): a plain identifier. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_VALUE = 10_000;

export const isVariableName = (name: string): boolean => VARIABLE_NAME.test(name);

/** The free `name<n>`/`value<n>` pairs of a form (blank names skipped); undefined when a name or value is not acceptable. */
export function freePairs(form: Record<string, unknown>): JsonObject | undefined {
  const data: JsonObject = {};
  for (let n = 1; n <= FREE_PAIRS; n += 1) {
    const name = typeof form[`name${n}`] === 'string' ? (form[`name${n}`] as string).trim() : '';
    if (!name) continue;
    const value = form[`value${n}`] ?? '';
    if (typeof value !== 'string' || value.length > MAX_VALUE || !VARIABLE_NAME.test(name)) return undefined;
    data[name] = value;
  }
  return data;
}

/**
 * The data a completion form submits: `name<n>`/`value<n>` pairs, `field.<name>` inputs (for forms
 * that know their fields) and `note`, stored as data.note. Undefined when a name or value is not acceptable.
 */
export function completionData(body: unknown): JsonObject | undefined {
  const form = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const pairs = freePairs(form);
  if (!pairs) return undefined;
  const data: JsonObject = { ...pairs };
  const put = (name: string, value: unknown): boolean => {
    if (typeof value !== 'string' || value.length > MAX_VALUE || !VARIABLE_NAME.test(name)) return false;
    data[name] = value;
    return true;
  };
  for (const [key, value] of Object.entries(form)) {
    if (key.startsWith('field.') && !put(key.slice('field.'.length), value)) return undefined;
  }
  const note = typeof form.note === 'string' ? form.note.trim() : '';
  if (note && !put('note', note)) return undefined;
  return data;
}
