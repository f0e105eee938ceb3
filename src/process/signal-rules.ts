import type { ModdleElement } from 'bpmn-moddle';
import { problemAt, type BpmnProblem } from './bpmn-problem.js';
import { flowElementsDeep, listOf, refOf } from './bpmn-tree.js';

/** The bpmn:signal an element catches: the engine is signalled with its id, a broadcast goes by its name. */
export interface CaughtSignal {
  signalId: string;
  name: string;
}

const isThrow = (element: ModdleElement): boolean => element.$type === 'bpmn:IntermediateThrowEvent' || element.$type === 'bpmn:EndEvent';

function signalDefinition(element: ModdleElement): ModdleElement | undefined {
  return listOf(element, 'eventDefinitions').find((definition) => definition.$type === 'bpmn:SignalEventDefinition');
}

function signalOf(definition: ModdleElement): CaughtSignal | null {
  const signal = refOf(definition, 'signalRef');
  const name = typeof signal?.name === 'string' ? signal.name.trim() : '';
  return signal?.id && name ? { signalId: signal.id, name } : null;
}

/**
 * Every signal event, caught or thrown, must name its bpmn:signal: a broadcast reaches catches by that
 * name, and an anonymous signal event would react to any anonymous signal (or throw one nobody can name).
 */
export function signalProblems(element: ModdleElement): BpmnProblem[] {
  const definition = signalDefinition(element);
  return definition && !signalOf(definition) ? [problemAt(element, 'signal-missing')] : [];
}

/** Each element of the file's processes that catches a named signal (intermediate catch, boundary, start), by element id. */
export function signalCatches(definitions: ModdleElement): Map<string, CaughtSignal> {
  const catches = new Map<string, CaughtSignal>();
  for (const process of listOf(definitions, 'rootElements').filter((root) => root.$type === 'bpmn:Process')) {
    for (const element of flowElementsDeep(process)) {
      const definition = isThrow(element) ? undefined : signalDefinition(element);
      const signal = definition ? signalOf(definition) : null;
      if (signal && element.id) catches.set(element.id, signal);
    }
  }
  return catches;
}

/** The bpmn:signal id a top-level signal start event of the file catches under `name`, if any. */
export function startSignalId(definitions: ModdleElement, name: string): string | null {
  for (const process of listOf(definitions, 'rootElements').filter((root) => root.$type === 'bpmn:Process')) {
    for (const element of listOf(process, 'flowElements').filter((e) => e.$type === 'bpmn:StartEvent')) {
      const definition = signalDefinition(element);
      const signal = definition ? signalOf(definition) : null;
      if (signal?.name === name) return signal.signalId;
    }
  }
  return null;
}

/** The names of the file's bpmn:signals by id: what a throw event publishes is the signal's id. */
export function signalNames(definitions: ModdleElement): Map<string, string> {
  const names = new Map<string, string>();
  for (const root of listOf(definitions, 'rootElements')) {
    if (root.$type === 'bpmn:Signal' && root.id && typeof root.name === 'string' && root.name.trim()) names.set(root.id, root.name.trim());
  }
  return names;
}
