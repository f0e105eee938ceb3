import { getDate, ISOInterval } from '@0dep/piso';
import type { ModdleElement } from 'bpmn-moddle';
import { listOf, refOf } from './bpmn-tree.js';

export type TimerKind = 'timeDuration' | 'timeDate' | 'timeCycle';

/** A timer start event of a process, with its one timer value. */
export interface StartTimerSpec {
  elementId: string;
  kind: TimerKind;
  value: string;
}

const KINDS: TimerKind[] = ['timeCycle', 'timeDate', 'timeDuration'];

/** The timer start events of the process `key` (top level only: a sub-process's start is not a process start). */
export function startTimersOf(definitions: ModdleElement, key: string): StartTimerSpec[] {
  const process = listOf(definitions, 'rootElements').find((root) => root.$type === 'bpmn:Process' && root.id === key);
  if (!process) return [];
  return listOf(process, 'flowElements').flatMap((element) => {
    if (element.$type !== 'bpmn:StartEvent' || !element.id) return [];
    const timer = listOf(element, 'eventDefinitions').find((definition) => definition.$type === 'bpmn:TimerEventDefinition');
    if (!timer) return [];
    // With several values the engine takes the first due; a start event has one in practice, and cycle says the most.
    for (const kind of KINDS) {
      const body = refOf(timer, kind)?.body;
      if (typeof body === 'string' && body.trim()) return [{ elementId: element.id, kind, value: body.trim() }];
    }
    return [];
  });
}

/**
 * When firing `firing` (1, 2, …) of a start timer is due, or null when there is none: a duration
 * fires once, counted from `from` (the deployment); a date fires once, and only if it is still ahead
 * (a version deployed after its date does not start a late instance); a cycle `R<n>/…` fires n times
 * (`R/…` for ever), each due one period after the one before, as @0dep/piso computes it for the engine.
 */
export function dueOf(spec: StartTimerSpec, firing: number, previousDue: Date | null, from: Date): Date | null {
  switch (spec.kind) {
    case 'timeDuration':
      return firing === 1 ? new ISOInterval(spec.value).parse().getExpireAt(from, from) : null;
    case 'timeDate': {
      const date = getDate(spec.value);
      return firing === 1 && date.getTime() > from.getTime() ? date : null;
    }
    case 'timeCycle': {
      const interval = new ISOInterval(spec.value).parse();
      const repetitions = interval.repeat === -1 ? Number.POSITIVE_INFINITY : (interval.repeat ?? 1);
      if (firing > repetitions) return null;
      const after = previousDue ?? from;
      const due = interval.getExpireAt(after, after);
      // A cycle anchored on a start date answers its last date once it is spent: no date ahead means no firing.
      return due.getTime() > after.getTime() ? due : null;
    }
  }
}
