import type { ModdleElement, ModdleWarning } from 'bpmn-moddle';
import { problemAt, type BpmnProblem } from './bpmn-problem.js';
import { FlowGraph, flowElementsDeep, listOf, refOf, SCOPE_TYPES } from './bpmn-tree.js';

/** Flow elements that are not steps of the flow: they are never "reached". */
const NOT_STEPS = new Set(['bpmn:SequenceFlow', 'bpmn:DataObject', 'bpmn:DataObjectReference', 'bpmn:DataStoreReference']);

const isEventSubProcess = (element: ModdleElement): boolean => SCOPE_TYPES.has(element.$type) && element.triggeredByEvent === true;
const steps = (scope: ModdleElement): ModdleElement[] => listOf(scope, 'flowElements').filter((e) => !NOT_STEPS.has(e.$type));

/**
 * Every step of the process must be reachable from a start event: a step nobody can get to is a
 * modelling mistake (a flow drawn to the wrong place), not something to find out in production.
 */
export function reachabilityProblems(process: ModdleElement, graph: FlowGraph): BpmnProblem[] {
  const starts = steps(process).filter((e) => e.$type === 'bpmn:StartEvent');
  if (starts.length === 0) return [problemAt(process, 'no-start-event')];
  const reached = new Set<ModdleElement>();
  const queue: ModdleElement[] = [];
  const reach = (element: ModdleElement | undefined): void => {
    if (element && !reached.has(element)) {
      reached.add(element);
      queue.push(element);
    }
  };
  starts.forEach(reach);
  // Event sub-processes and compensation handlers are started by events, not by flows.
  steps(process)
    .filter((e) => isEventSubProcess(e) || e.isForCompensation === true)
    .forEach(reach);
  const all = flowElementsDeep(process).filter((e) => !NOT_STEPS.has(e.$type));
  while (queue.length > 0) {
    const node = queue.shift()!;
    graph.targetsOf(node).forEach(reach);
    for (const boundary of all) if (refOf(boundary, 'attachedToRef') === node) reach(boundary);
    for (const target of linkTargets(node, all)) reach(target);
    if (SCOPE_TYPES.has(node.$type)) scopeEntries(node, graph).forEach(reach);
  }
  return all
    .filter((element) => !reached.has(element))
    .filter((element) => element.$parent === process || (element.$parent !== undefined && reached.has(element.$parent)))
    .map((element) => problemAt(element, 'unreachable'));
}

/** Where a sub-process starts: its start events, or (BPMN allows it) its steps without incoming flows. */
function scopeEntries(scope: ModdleElement, graph: FlowGraph): ModdleElement[] {
  const inner = steps(scope);
  const starts = inner.filter((e) => e.$type === 'bpmn:StartEvent');
  const handlers = inner.filter((e) => isEventSubProcess(e) || e.isForCompensation === true);
  if (starts.length > 0) return [...starts, ...handlers];
  return inner.filter((e) => e.$type !== 'bpmn:BoundaryEvent' && graph.incomingCount(e) === 0);
}

/** A throwing link event continues at the catching link event of the same name in the same scope. */
function linkTargets(node: ModdleElement, all: ModdleElement[]): ModdleElement[] {
  const name = linkName(node);
  if (node.$type !== 'bpmn:IntermediateThrowEvent' || !name) return [];
  return all.filter((e) => e.$type === 'bpmn:IntermediateCatchEvent' && e.$parent === node.$parent && linkName(e) === name);
}

function linkName(event: ModdleElement): string | undefined {
  const link = listOf(event, 'eventDefinitions').find((d) => d.$type === 'bpmn:LinkEventDefinition');
  return typeof link?.name === 'string' ? link.name : undefined;
}

/** Sequence flows whose source or target is not in the file (moddle leaves the reference unresolved). */
export function flowReferenceProblems(process: ModdleElement, warnings: ModdleWarning[]): BpmnProblem[] {
  const problems: BpmnProblem[] = [];
  for (const flow of flowElementsDeep(process).filter((e) => e.$type === 'bpmn:SequenceFlow')) {
    for (const property of ['sourceRef', 'targetRef']) {
      if (refOf(flow, property)) continue;
      const missing = warnings.find((w) => w.element === flow && w.property === `bpmn:${property}`)?.value ?? '';
      problems.push(problemAt(flow, 'flow-missing-element', { ref: missing }));
    }
  }
  return problems;
}
