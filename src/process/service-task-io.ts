/*
 * Service and send tasks as Camunda Modeler draws them: `camunda:type="external"` with
 * `camunda:topic` naming the plug, and `camunda:inputOutput` mapping process variables to the plug's
 * input and its answer back to variables. Read the same way from a moddle element (the validator)
 * and from the engine's activity behaviour (the runtime): both carry the moddle properties.
 */

/** An input or output parameter's value: text (a literal, one `${ }` expression, or text around them), a map or a list. */
export type IoValue =
  | { kind: 'text'; text: string }
  | { kind: 'map'; entries: { key: string; value: IoValue }[] }
  | { kind: 'list'; items: IoValue[] }
  | { kind: 'script' }
  | { kind: 'none' };

export interface IoParameter {
  name: string;
  value: IoValue;
}

export interface ServiceTaskModel {
  topic: string | null;
  type: string | null;
  /** A Java-style implementation we never run: camunda:class, expression, delegateExpression, or a connector. */
  javaImplementation: string | null;
  inputs: IoParameter[];
  outputs: IoParameter[];
}

type Node = Record<string, unknown>;

const JAVA_ATTRIBUTES = ['class', 'expression', 'delegateExpression'];

export function serviceTaskModel(element: Node): ServiceTaskModel {
  const extensions = listIn(element.extensionElements as Node | undefined, 'values');
  const io = extensions.find((value) => value.$type === 'camunda:InputOutput');
  const attribute = JAVA_ATTRIBUTES.find((name) => text(element[name])?.trim());
  const connector = extensions.some((value) => value.$type === 'camunda:Connector');
  return {
    topic: text(element.topic),
    type: text(element.type),
    javaImplementation: attribute ? `camunda:${attribute}` : connector ? 'camunda:connector' : null,
    inputs: listIn(io, 'inputParameters').map(parameter),
    outputs: listIn(io, 'outputParameters').map(parameter),
  };
}

/** Every `${ … }` in a value, for the validator to check. */
export function expressionsIn(value: IoValue): string[] {
  switch (value.kind) {
    case 'text':
      return [...value.text.matchAll(/\$\{[^}]*\}/g)].map((match) => match[0]);
    case 'map':
      return value.entries.flatMap((entry) => expressionsIn(entry.value));
    case 'list':
      return value.items.flatMap(expressionsIn);
    default:
      return [];
  }
}

/**
 * The parameters' values as Camunda computes them: a text that is one expression gives the
 * expression's value (a number stays a number), text around expressions gives a string, a map an
 * object, a list an array, an empty parameter null. `evaluate` takes a whole `${ … }`.
 */
export function evaluateParameters(parameters: IoParameter[], evaluate: (expression: string) => unknown): Record<string, unknown> {
  const valueOf = (value: IoValue): unknown => {
    switch (value.kind) {
      case 'text': {
        if (/^\$\{[^}]*\}$/.test(value.text.trim())) return evaluate(value.text.trim());
        return value.text.replace(/\$\{[^}]*\}/g, (expression) => asText(evaluate(expression)));
      }
      case 'map':
        return Object.fromEntries(value.entries.map((entry) => [entry.key, valueOf(entry.value)]));
      case 'list':
        return value.items.map(valueOf);
      default:
        // Scripts are refused at deploy time; nothing else is left to evaluate.
        return null;
    }
  };
  return Object.fromEntries(parameters.map((p) => [p.name, valueOf(p.value)]));
}

/** A value inside text: objects and lists as JSON, nothing as nothing. */
function asText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
      return value.toString();
    case 'object':
      return value === null ? '' : JSON.stringify(value);
    default:
      return '';
  }
}

function parameter(node: Node): IoParameter {
  return { name: text(node.name) ?? '', value: ioValue(node) };
}

/** A parameter, map entry or list item: `value` text, or a `definition` (map, list, script), or an item that is itself one. */
function ioValue(node: Node): IoValue {
  const definition = (node.definition as Node | undefined) ?? (node.$type === 'camunda:Value' ? undefined : node);
  switch (definition?.$type) {
    case 'camunda:Map':
      return {
        kind: 'map',
        entries: listIn(definition, 'entries').map((entry) => ({ key: text(entry.key) ?? '', value: ioValue(entry) })),
      };
    case 'camunda:List':
      return { kind: 'list', items: listIn(definition, 'items').map(ioValue) };
    case 'camunda:Script':
      return { kind: 'script' };
  }
  const value = text(node.value);
  return value === null ? { kind: 'none' } : { kind: 'text', text: value };
}

function listIn(node: Node | undefined, property: string): Node[] {
  const value = node?.[property];
  return Array.isArray(value) ? value.filter((item): item is Node => typeof item === 'object' && item !== null) : [];
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
