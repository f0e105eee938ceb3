import { isVariableName } from './task-form.js';

/** One `var.<name>=<value>` condition of an instance search: equality on a top-level variable. */
export interface VariableCondition {
  name: string;
  value: string;
}

/** A search combines a few conditions (all must hold); more is a sign of a query built by mistake. */
export const MAX_VARIABLE_CONDITIONS = 5;
const MAX_VALUE = 255;
const NUMBER = /^-?(0|[1-9]\d{0,14})(\.\d{1,6})?$/;

/**
 * The `var.<name>=<value>` pairs of a query string. Undefined when one is not acceptable (a name
 * that is not a plain identifier, a repeated or over-long value, too many conditions): the caller answers 400.
 */
export function variableConditions(query: Record<string, unknown>): VariableCondition[] | undefined {
  const conditions: VariableCondition[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (!key.startsWith('var.')) continue;
    const name = key.slice('var.'.length);
    if (!isVariableName(name) || typeof value !== 'string' || value.length > MAX_VALUE) return undefined;
    conditions.push({ name, value });
  }
  return conditions.length <= MAX_VARIABLE_CONDITIONS ? conditions : undefined;
}

/**
 * The JSON documents a condition matches by containment (`variables @> doc`). A query string only
 * carries text, while variables keep their JSON type (a form gives text, the API or a plug numbers
 * and booleans): `42` matches the string "42" and the number 42, `true`/`false` the string and the
 * boolean; anything else matches the string only.
 */
export function containedDocuments(condition: VariableCondition): string[] {
  const typed: unknown[] = [condition.value];
  if (NUMBER.test(condition.value)) typed.push(Number(condition.value));
  if (condition.value === 'true' || condition.value === 'false') typed.push(condition.value === 'true');
  return typed.map((value) => JSON.stringify({ [condition.name]: value }));
}
