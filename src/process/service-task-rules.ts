import type { ModdleElement } from 'bpmn-moddle';
import { problemAt, type BpmnProblem } from './bpmn-problem.js';
import { checkExpression } from './expression-check.js';
import { expressionsIn, serviceTaskModel, type IoParameter } from './service-task-io.js';

const SERVICE_TYPES = new Set(['bpmn:ServiceTask', 'bpmn:SendTask']);

/**
 * A service or send task runs a plug: `camunda:type="external"` (or no type) with `camunda:topic`
 * naming a plug the workspace has. Java implementations (class, expression, delegateExpression,
 * connector) have nothing to run them here, and their expressions would be code: refused. Input and
 * output parameters are checked like conditions; scripts in them are refused like script tasks.
 */
export function serviceTaskProblems(element: ModdleElement, plugs: ReadonlySet<string>): BpmnProblem[] {
  if (!SERVICE_TYPES.has(element.$type)) return [];
  const model = serviceTaskModel(element);
  const problems: BpmnProblem[] = [];
  if (model.javaImplementation) problems.push(problemAt(element, 'service-task-implementation', { kind: model.javaImplementation }));
  else if (model.type !== null && model.type !== 'external') {
    problems.push(problemAt(element, 'service-task-implementation', { kind: `camunda:type="${model.type}"` }));
  } else if (!model.topic?.trim()) problems.push(problemAt(element, 'service-task-without-topic', { known: known(plugs) }));
  else if (!plugs.has(model.topic.trim())) problems.push(problemAt(element, 'unknown-plug', { topic: model.topic, known: known(plugs) }));
  for (const parameter of [...model.inputs, ...model.outputs]) problems.push(...parameterProblems(element, parameter));
  return problems;
}

function parameterProblems(element: ModdleElement, parameter: IoParameter): BpmnProblem[] {
  if (!parameter.name.trim()) return [problemAt(element, 'io-parameter-name')];
  if (hasScript(parameter.value)) return [problemAt(element, 'io-script', { name: parameter.name })];
  return expressionsIn(parameter.value).flatMap((expression) => {
    const fault = checkExpression(expression);
    return fault ? [problemAt(element, fault.code, fault.params)] : [];
  });
}

function hasScript(value: IoParameter['value']): boolean {
  if (value.kind === 'script') return true;
  if (value.kind === 'map') return value.entries.some((entry) => hasScript(entry.value));
  if (value.kind === 'list') return value.items.some(hasScript);
  return false;
}

function known(plugs: ReadonlySet<string>): string {
  return [...plugs].sort().join(', ');
}
