import type { ModdleElement } from 'bpmn-moddle';
import { problemAt, type BpmnProblem } from './bpmn-problem.js';
import { flowElementsDeep, listOf, refOf } from './bpmn-tree.js';

/** The bpmn:message an element listens to: the engine is signalled with its id, correlation goes by its name. */
export interface ListenedMessage {
  messageId: string;
  name: string;
}

/** The message definition of an element, or the receive task itself (its messageRef is on the task). */
function messageHolder(element: ModdleElement): ModdleElement | undefined {
  if (element.$type === 'bpmn:ReceiveTask') return element;
  return listOf(element, 'eventDefinitions').find((definition) => definition.$type === 'bpmn:MessageEventDefinition');
}

function listenedBy(holder: ModdleElement): ListenedMessage | null {
  const message = refOf(holder, 'messageRef');
  const name = typeof message?.name === 'string' ? message.name.trim() : '';
  return message?.id && name ? { messageId: message.id, name } : null;
}

/**
 * A catch that waits for a message (intermediate catch, boundary, start event, receive task) must name
 * the bpmn:message it waits for: correlation goes by that name, and the engine would otherwise react to
 * any anonymous signal. A message throw or end event sends and needs nothing here.
 */
export function messageProblems(element: ModdleElement): BpmnProblem[] {
  if (element.$type === 'bpmn:IntermediateThrowEvent' || element.$type === 'bpmn:EndEvent') return [];
  const holder = messageHolder(element);
  if (!holder) return [];
  return listenedBy(holder) ? [] : [problemAt(element, 'message-missing')];
}

/** Each element of the file's processes that waits for a named message, by element id. */
export function messageListeners(definitions: ModdleElement): Map<string, ListenedMessage> {
  const listeners = new Map<string, ListenedMessage>();
  for (const process of listOf(definitions, 'rootElements').filter((root) => root.$type === 'bpmn:Process')) {
    for (const element of flowElementsDeep(process)) {
      if (element.$type === 'bpmn:IntermediateThrowEvent' || element.$type === 'bpmn:EndEvent' || !element.id) continue;
      const holder = messageHolder(element);
      const message = holder ? listenedBy(holder) : null;
      if (message) listeners.set(element.id, message);
    }
  }
  return listeners;
}

/** The bpmn:message id a top-level message start event of the file listens to under `name`, if any. */
export function startMessageId(definitions: ModdleElement, name: string): string | null {
  for (const process of listOf(definitions, 'rootElements').filter((root) => root.$type === 'bpmn:Process')) {
    for (const element of listOf(process, 'flowElements').filter((e) => e.$type === 'bpmn:StartEvent')) {
      const holder = messageHolder(element);
      const message = holder ? listenedBy(holder) : null;
      if (message?.name === name) return message.messageId;
    }
  }
  return null;
}
