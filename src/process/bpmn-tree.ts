import type { ModdleElement } from 'bpmn-moddle';

/** The elements in one of an element's list properties (flowElements, rootElements, eventDefinitions…). */
export function listOf(element: ModdleElement, property: string): ModdleElement[] {
  const value = element[property];
  return Array.isArray(value) ? value.filter(isElement) : [];
}

/** The element a single-valued property holds or refers to (sourceRef, attachedToRef, conditionExpression…). */
export function refOf(element: ModdleElement, property: string): ModdleElement | undefined {
  const value = element[property];
  return isElement(value) ? value : undefined;
}

/** A string attribute, whether a loaded package describes it (camunda:) or it is kept raw in $attrs. */
export function textOf(element: ModdleElement, property: string): string | undefined {
  const value = element[property] ?? element.$attrs?.[property];
  return typeof value === 'string' ? value : undefined;
}

export function isElement(value: unknown): value is ModdleElement {
  return typeof value === 'object' && value !== null && typeof (value as { $type?: unknown }).$type === 'string';
}

export function isProcess(element: ModdleElement): boolean {
  return element.$type === 'bpmn:Process';
}

export const SCOPE_TYPES = new Set(['bpmn:Process', 'bpmn:SubProcess', 'bpmn:Transaction', 'bpmn:AdHocSubProcess']);

/** Every flow element of a process, its sub-processes included, depth first. */
export function flowElementsDeep(scope: ModdleElement): ModdleElement[] {
  const result: ModdleElement[] = [];
  for (const element of listOf(scope, 'flowElements')) {
    result.push(element);
    if (SCOPE_TYPES.has(element.$type)) result.push(...flowElementsDeep(element));
  }
  return result;
}

/** The executable processes of a file, in document order. */
export function executableProcesses(definitions: ModdleElement): ModdleElement[] {
  return listOf(definitions, 'rootElements').filter((root) => isProcess(root) && root.isExecutable === true);
}

/**
 * Each flow node's outgoing and incoming sequence flows, from the flows' own source and target:
 * the `<bpmn:incoming>`/`<bpmn:outgoing>` children are optional and hand-written files omit them.
 */
export class FlowGraph {
  private readonly outgoing = new Map<ModdleElement, ModdleElement[]>();
  private readonly incoming = new Map<ModdleElement, ModdleElement[]>();

  constructor(process: ModdleElement) {
    for (const flow of flowElementsDeep(process).filter((e) => e.$type === 'bpmn:SequenceFlow')) {
      const source = refOf(flow, 'sourceRef');
      const target = refOf(flow, 'targetRef');
      if (source && target) {
        this.outgoing.set(source, [...(this.outgoing.get(source) ?? []), target]);
        this.incoming.set(target, [...(this.incoming.get(target) ?? []), source]);
      }
    }
  }

  targetsOf(node: ModdleElement): ModdleElement[] {
    return this.outgoing.get(node) ?? [];
  }

  incomingCount(node: ModdleElement): number {
    return this.incoming.get(node)?.length ?? 0;
  }
}
