import type { ModdleElement } from 'bpmn-moddle';
import { problemAt, type BpmnProblem } from './bpmn-problem.js';

/*
 * Steps the engine loads but the runtime does not run: an instance reaching one would fail
 * (engine-run.ts keeps that as the last guard), so an executable process holding one is refused at
 * deploy time, with what to use instead. A call activity waits for someone to start the called
 * process, which the `call-process` plug does; a business rule task would need a DMN engine.
 */
export function unrunStepProblems(element: ModdleElement): BpmnProblem[] {
  if (element.$type === 'bpmn:CallActivity') return [problemAt(element, 'call-activity')];
  if (element.$type === 'bpmn:BusinessRuleTask') return [problemAt(element, 'business-rule-task')];
  return [];
}
