import type { ModdleElement, ModdleWarning } from 'bpmn-moddle';
import { problemAt, type BpmnProblem } from './bpmn-problem.js';
import { flowElementsDeep, listOf } from './bpmn-tree.js';

/*
 * What the process runtime runs: the elements bpmn-elements 17.3 implements (its index exports),
 * less the ones we refuse on purpose (script tasks, see condition-rules.ts). Anything else makes the
 * engine's loader throw "Unknown activity type", so it is refused at deploy time — once the
 * declarations nothing runs (bpmn:ItemDefinition, bpmn:Resource, global tasks…) have been dropped
 * from the parsed model by bpmn-prune.ts.
 */
const ROOT_ELEMENTS = new Set(['Process', 'Collaboration', 'Message', 'Signal', 'Error', 'Escalation', 'DataStore', 'Category']);
const FLOW_ELEMENTS = new Set([
  'StartEvent',
  'EndEvent',
  'IntermediateCatchEvent',
  'IntermediateThrowEvent',
  'BoundaryEvent',
  'ExclusiveGateway',
  'ParallelGateway',
  'InclusiveGateway',
  'EventBasedGateway',
  'Task',
  'UserTask',
  'ManualTask',
  'ServiceTask',
  'SendTask',
  'BusinessRuleTask',
  'ReceiveTask',
  'ScriptTask',
  'CallActivity',
  'SubProcess',
  'Transaction',
  'AdHocSubProcess',
  'SequenceFlow',
  'DataObject',
  'DataObjectReference',
  'DataStoreReference',
]);
const EVENT_DEFINITIONS = new Set([
  'TimerEventDefinition',
  'MessageEventDefinition',
  'SignalEventDefinition',
  'ErrorEventDefinition',
  'EscalationEventDefinition',
  'TerminateEventDefinition',
  'LinkEventDefinition',
  'ConditionalEventDefinition',
  'CompensateEventDefinition',
  'CancelEventDefinition',
]);

const local = (type: string): string => type.replace(/^bpmn:/, '');

/** Elements of a type the engine cannot load, and content moddle could not read at all. */
export function unsupportedElements(definitions: ModdleElement, warnings: ModdleWarning[]): BpmnProblem[] {
  const problems: BpmnProblem[] = [];
  const refuse = (element: ModdleElement): void => {
    problems.push(problemAt(element, 'unsupported-element', { type: element.$type }));
  };
  for (const root of listOf(definitions, 'rootElements')) {
    if (!ROOT_ELEMENTS.has(local(root.$type))) {
      refuse(root);
      continue;
    }
    if (root.$type !== 'bpmn:Process') continue;
    for (const element of flowElementsDeep(root)) {
      if (!FLOW_ELEMENTS.has(local(element.$type))) refuse(element);
      for (const definition of listOf(element, 'eventDefinitions')) if (!EVENT_DEFINITIONS.has(local(definition.$type))) refuse(definition);
    }
  }
  // moddle drops what it cannot read (an unknown bpmn: tag, a misplaced element) and only warns.
  for (const warning of warnings) {
    if (!warning.message.startsWith('unparsable content')) continue;
    const tag = /unparsable content <([^>\s]+)/.exec(warning.message)?.[1] ?? '?';
    problems.push({ elementId: warning.element?.id ?? 'definitions', code: 'unknown-content', params: { tag } });
  }
  return problems;
}
