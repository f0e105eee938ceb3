/** Why a BPMN file cannot be deployed; each code has a message `process.bpmn.<code>` in both catalogues. */
export type BpmnProblemCode =
  | 'not-xml'
  | 'not-bpmn'
  | 'no-executable-process'
  | 'unsupported-element'
  | 'unknown-content'
  | 'script-task'
  | 'script-condition'
  | 'user-task-without-actor'
  | 'invalid-actor'
  | 'invalid-assignee'
  | 'timer-missing'
  | 'timer-cron'
  | 'timer-invalid'
  | 'timer-start-expression'
  | 'timer-start-not-alone'
  | 'message-missing'
  | 'signal-missing'
  | 'expression-form'
  | 'expression-syntax'
  | 'expression-unsafe'
  | 'no-start-event'
  | 'unreachable'
  | 'flow-missing-element'
  | 'inclusive-join'
  | 'call-activity'
  | 'business-rule-task'
  | 'service-task-implementation'
  | 'service-task-without-topic'
  | 'unknown-plug'
  | 'io-parameter-name'
  | 'io-script'
  | 'engine-load';

/** One problem of a BPMN file, tied to the element a modeller must fix. */
export interface BpmnProblem {
  /** The element's id, or the definitions' id (or "definitions") for file-wide problems. */
  elementId: string;
  elementName?: string;
  code: BpmnProblemCode;
  params?: Record<string, string>;
}

/** The problem of one element, named as the modeller sees it. */
export function problemAt(element: { id?: string; name?: string }, code: BpmnProblemCode, params?: Record<string, string>): BpmnProblem {
  return {
    elementId: element.id ?? 'definitions',
    ...(element.name ? { elementName: element.name } : {}),
    code,
    ...(params ? { params } : {}),
  };
}
