/** A small valid BPMN file as Camunda Modeler writes it: start → user task (candidate groups) → end. */
export function minimalBpmn(key: string, options: { taskName?: string; candidateGroups?: string } = {}): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_${key}" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.23.0">
  <bpmn:process id="${key}" name="Processo ${key}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
    <bpmn:userTask id="Esamina" name="${options.taskName ?? 'Esamina la PEC'}" camunda:candidateGroups="${options.candidateGroups ?? 'operator'}" />
    <bpmn:endEvent id="EndEvent_1" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Esamina" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Esamina" targetRef="EndEvent_1" />
  </bpmn:process>
</bpmn:definitions>
`;
}

/** The same file with a script task and candidate groups that are not actors: refused with both element ids. */
export function brokenBpmn(key: string): string {
  return minimalBpmn(key, { candidateGroups: 'ruolo:operatore' }).replace(
    '<bpmn:endEvent id="EndEvent_1" />',
    '<bpmn:endEvent id="EndEvent_1" />\n    <bpmn:scriptTask id="Copione" scriptFormat="javascript"><bpmn:script>next()</bpmn:script></bpmn:scriptTask>',
  );
}

/** The opening of a BPMN file as Camunda Modeler writes it; the body and `</bpmn:definitions>` follow. */
export function bpmnHead(key: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_${key}" targetNamespace="http://bpmn.io/schema/bpmn">`;
}

/** Esamina (candidates) with a boundary timer → the escalation Sollecito (its own candidates); interrupting or not. */
export function escalationBpmn(
  key: string,
  options: { duration?: string; interrupting?: boolean; candidates?: string; escalateTo?: string } = {},
): string {
  return `${bpmnHead(key)}
  <bpmn:process id="${key}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
    <bpmn:userTask id="Esamina" name="Esamina" camunda:candidateGroups="${options.candidates ?? 'operator'}" />
    <bpmn:boundaryEvent id="Scadenza" attachedToRef="Esamina" cancelActivity="${String(options.interrupting ?? true)}">
      <bpmn:timerEventDefinition id="Timer_1"><bpmn:timeDuration>${options.duration ?? 'PT1H'}</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="Sollecito" name="Sollecito" camunda:candidateGroups="${options.escalateTo ?? 'manager'}" />
    <bpmn:endEvent id="EndEvent_1" />
    <bpmn:endEvent id="EndEvent_2" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Esamina" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Esamina" targetRef="EndEvent_1" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Scadenza" targetRef="Sollecito" />
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Sollecito" targetRef="EndEvent_2" />
  </bpmn:process>
</bpmn:definitions>
`;
}

/** Start → Esamina (operators) → Approva (managers) → end, with the diagram layout Camunda Modeler writes (BPMNDiagram). */
export function drawnBpmn(key: string): string {
  const shape = (id: string, x: number, y: number, w: number, h: number) =>
    `<bpmndi:BPMNShape id="${id}_di" bpmnElement="${id}"><dc:Bounds x="${x}" y="${y}" width="${w}" height="${h}" /></bpmndi:BPMNShape>`;
  const edge = (id: string, x1: number, x2: number) =>
    `<bpmndi:BPMNEdge id="${id}_di" bpmnElement="${id}"><di:waypoint x="${x1}" y="120" /><di:waypoint x="${x2}" y="120" /></bpmndi:BPMNEdge>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_${key}" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.23.0">
  <bpmn:process id="${key}" name="Pratica ${key}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" name="PEC ricevuta" />
    <bpmn:userTask id="Esamina" name="Esamina la PEC" camunda:candidateGroups="operator" />
    <bpmn:userTask id="Approva" name="Approva la risposta" camunda:candidateGroups="manager" />
    <bpmn:endEvent id="EndEvent_1" name="Risposta inviata" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Esamina" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Esamina" targetRef="Approva" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Approva" targetRef="EndEvent_1" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="${key}">
      ${shape('StartEvent_1', 152, 102, 36, 36)}
      ${shape('Esamina', 240, 80, 100, 80)}
      ${shape('Approva', 400, 80, 100, 80)}
      ${shape('EndEvent_1', 562, 102, 36, 36)}
      ${edge('Flow_1', 188, 240)}
      ${edge('Flow_2', 340, 400)}
      ${edge('Flow_3', 500, 562)}
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
`;
}

/** What a catching event waits for: its declaration at the root of the file and its event definition. */
export interface AwaitedEvent {
  declaration: string;
  definition: string;
}

/** A message named `name`, declared once per process key. */
export function awaitedMessage(key: string, name: string): AwaitedEvent {
  return {
    declaration: `<bpmn:message id="Msg_${key}" name="${name}" />`,
    definition: `<bpmn:messageEventDefinition id="Med_1" messageRef="Msg_${key}" />`,
  };
}

/** A signal named `name`, declared once per process key. */
export function awaitedSignal(key: string, name: string): AwaitedEvent {
  return {
    declaration: `<bpmn:signal id="Sig_${key}" name="${name}" />`,
    definition: `<bpmn:signalEventDefinition id="Sed_1" signalRef="Sig_${key}" />`,
  };
}

/** A user task of a built process: its id (also its name) and its candidate groups. */
export interface BuiltTask {
  id: string;
  candidates: string;
}

const userTask = ({ id, candidates }: BuiltTask) => `<bpmn:userTask id="${id}" name="${id}" camunda:candidateGroups="${candidates}" />`;

/** `first` → an intermediate catch event `waitId` for `event` → `then`. */
export function catchEventBpmn(key: string, event: AwaitedEvent, first: BuiltTask, waitId: string, then: BuiltTask): string {
  return `${bpmnHead(key)}
  ${event.declaration}
  <bpmn:process id="${key}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
    ${userTask(first)}
    <bpmn:intermediateCatchEvent id="${waitId}">${event.definition}</bpmn:intermediateCatchEvent>
    ${userTask(then)}
    <bpmn:endEvent id="EndEvent_1" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="${first.id}" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="${first.id}" targetRef="${waitId}" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="${waitId}" targetRef="${then.id}" />
    <bpmn:sequenceFlow id="Flow_4" sourceRef="${then.id}" targetRef="EndEvent_1" />
  </bpmn:process>
</bpmn:definitions>
`;
}

/** `task` with a boundary event `boundaryId` for `event` (interrupting or not) → `handler`. */
export function boundaryEventBpmn(
  key: string,
  event: AwaitedEvent,
  task: BuiltTask,
  boundary: { id: string; interrupting: boolean },
  handler: BuiltTask,
): string {
  return `${bpmnHead(key)}
  ${event.declaration}
  <bpmn:process id="${key}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
    ${userTask(task)}
    <bpmn:boundaryEvent id="${boundary.id}" attachedToRef="${task.id}" cancelActivity="${String(boundary.interrupting)}">${event.definition}</bpmn:boundaryEvent>
    ${userTask(handler)}
    <bpmn:endEvent id="EndEvent_1" />
    <bpmn:endEvent id="EndEvent_2" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="${task.id}" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="${task.id}" targetRef="EndEvent_1" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="${boundary.id}" targetRef="${handler.id}" />
    <bpmn:sequenceFlow id="Flow_4" sourceRef="${handler.id}" targetRef="EndEvent_2" />
  </bpmn:process>
</bpmn:definitions>
`;
}

/** A start event that waits for `event` → `task`. */
export function eventStartBpmn(key: string, event: AwaitedEvent, task: BuiltTask): string {
  return `${bpmnHead(key)}
  ${event.declaration}
  <bpmn:process id="${key}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1">${event.definition}</bpmn:startEvent>
    ${userTask(task)}
    <bpmn:endEvent id="EndEvent_1" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="${task.id}" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="${task.id}" targetRef="EndEvent_1" />
  </bpmn:process>
</bpmn:definitions>
`;
}
