import jexl from 'jexl';
import type { BpmnProblemCode } from './bpmn-problem.js';

// A Jexl of our own, with no transforms or functions registered: nothing a model writes can call code.
const language = new jexl.Jexl();

/** Names that would reach JavaScript internals through member access. */
const FORBIDDEN_NAMES = new Set(['constructor', '__proto__', 'prototype']);

export interface ExpressionFault {
  code: Extract<BpmnProblemCode, 'expression-form' | 'expression-syntax' | 'expression-unsafe'>;
  params: Record<string, string>;
}

/**
 * Checks a Camunda-style `${ … }` expression without evaluating it. The runtime evaluates the inside
 * with Jexl (design §6): comparisons, logical and arithmetic operators, member access, literals.
 * Function calls and transforms are refused: no tenant-authored model may invoke code.
 */
export function checkExpression(text: string): ExpressionFault | null {
  const value = text.trim();
  const inner = /^\$\{([\s\S]*)\}$/.exec(value)?.[1]?.trim();
  if (!inner) return { code: 'expression-form', params: { value } };
  let ast: unknown;
  try {
    ast = language.compile(inner)._getAst();
  } catch (error) {
    return { code: 'expression-syntax', params: { value, reason: (error as Error).message } };
  }
  const unsafe = firstUnsafe(ast);
  return unsafe ? { code: 'expression-unsafe', params: { value, what: unsafe } } : null;
}

function firstUnsafe(node: unknown): string | null {
  if (typeof node !== 'object' || node === null) return null;
  const record = node as Record<string, unknown>;
  if (record.type === 'FunctionCall') return `${String(record.name)}()`;
  // `a.constructor` does not even parse; `a["constructor"]` does, as a string literal.
  if ((record.type === 'Identifier' || record.type === 'Literal') && FORBIDDEN_NAMES.has(String(record.value))) return String(record.value);
  for (const child of Object.values(record)) {
    const found = Array.isArray(child) ? child.map(firstUnsafe).find((item) => item !== null) : firstUnsafe(child);
    if (found) return found;
  }
  return null;
}
