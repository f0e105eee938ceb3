// bpmn-moddle ships no types; this covers the part pecflow reads (fromXML and the element tree).
declare module 'bpmn-moddle' {
  /** A parsed BPMN element: its type (`bpmn:UserTask`), attributes and child elements as properties. */
  export interface ModdleElement {
    $type: string;
    id?: string;
    name?: string;
    $parent?: ModdleElement;
    /** Attributes of namespaces no loaded package describes (e.g. zeebe:, signavio:). */
    $attrs?: Record<string, string>;
    [property: string]: unknown;
  }

  export interface ModdleWarning {
    message: string;
    element?: ModdleElement;
    property?: string;
    value?: string;
  }

  export interface ParseResult {
    rootElement: ModdleElement;
    warnings: ModdleWarning[];
    elementsById: Record<string, ModdleElement>;
    references: unknown[];
  }

  /** What bpmn-engine's types call the parse result it accepts as `moddleContext`. */
  export type Definitions = ParseResult;

  export default class BpmnModdle {
    constructor(packages?: Record<string, unknown>, options?: Record<string, unknown>);
    fromXML(xml: string, typeName?: string): Promise<ParseResult>;
  }
}
