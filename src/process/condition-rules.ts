import type { ModdleElement } from 'bpmn-moddle';
import { problemAt, type BpmnProblem } from './bpmn-problem.js';
import { listOf, refOf } from './bpmn-tree.js';
import { checkExpression } from './expression-check.js';

/**
 * bpmn-engine runs script tasks and `language="…"` conditions with node:vm, which Node documents
 * as no security boundary: a tenant-authored model must never run JavaScript on our servers.
 */
export function scriptProblems(element: ModdleElement): BpmnProblem[] {
  if (element.$type === 'bpmn:ScriptTask') return [problemAt(element, 'script-task')];
  const language = conditionOf(element)?.language;
  return typeof language === 'string' && language.trim() ? [problemAt(element, 'script-condition', { language })] : [];
}

/** A condition (on a sequence flow or a conditional event) must be a safe `${ }` expression. */
export function conditionProblems(element: ModdleElement): BpmnProblem[] {
  const condition = conditionOf(element);
  if (!condition || (typeof condition.language === 'string' && condition.language.trim())) return [];
  const fault = checkExpression(typeof condition.body === 'string' ? condition.body : '');
  return fault ? [problemAt(element, fault.code, fault.params)] : [];
}

function conditionOf(element: ModdleElement): ModdleElement | undefined {
  if (element.$type === 'bpmn:SequenceFlow') return refOf(element, 'conditionExpression');
  const conditional = listOf(element, 'eventDefinitions').find((definition) => definition.$type === 'bpmn:ConditionalEventDefinition');
  return conditional ? refOf(conditional, 'condition') : undefined;
}
