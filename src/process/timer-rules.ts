import { getDate, ISOInterval } from '@0dep/piso';
import type { ModdleElement } from 'bpmn-moddle';
import { problemAt, type BpmnProblem } from './bpmn-problem.js';
import { listOf, refOf } from './bpmn-tree.js';
import { checkExpression } from './expression-check.js';

const TIMER_KINDS = ['timeDuration', 'timeDate', 'timeCycle'] as const;

/** Quartz/Unix cron (Camunda 7 accepts it, e.g. `0/5 0/1 * 1/1 * ?`); the engine does not. */
const CRON = /^\S+(\s+\S+){4,6}$/;

/**
 * A timer must carry a value the engine can parse (it throws at run time otherwise, stopping the
 * instance): ISO 8601 duration or interval for timeDuration/timeCycle, an ISO 8601 date for timeDate,
 * parsed with the very library (@0dep/piso) and calls bpmn-elements uses. `${ }` values are resolved
 * at run time, so only their syntax is checked here.
 */
export function timerProblems(holder: ModdleElement, timer: ModdleElement): BpmnProblem[] {
  const values = TIMER_KINDS.flatMap((kind) => {
    const body = refOf(timer, kind)?.body;
    return typeof body === 'string' ? [{ kind, value: body.trim() }] : [];
  });
  if (values.length === 0) return [problemAt(holder, 'timer-missing')];
  const problems: BpmnProblem[] = [];
  // A process's timer start is scheduled at deployment (start-timers.ts), when no instance has variables yet.
  const processStart = holder.$type === 'bpmn:StartEvent' && holder.$parent?.$type === 'bpmn:Process';
  for (const { kind, value } of values) {
    if (value.includes('${') && processStart) {
      problems.push(problemAt(holder, 'timer-start-expression', { value }));
    } else if (value.includes('${')) {
      const fault = checkExpression(value);
      if (fault) problems.push(problemAt(holder, fault.code, fault.params));
    } else if (CRON.test(value)) {
      problems.push(problemAt(holder, 'timer-cron', { value }));
    } else if (!parses(kind, value)) {
      problems.push(problemAt(holder, 'timer-invalid', { value, kind }));
    }
  }
  return problems;
}

function parses(kind: (typeof TIMER_KINDS)[number], value: string): boolean {
  try {
    if (kind === 'timeDate') return !Number.isNaN(getDate(value).getTime());
    const now = new Date();
    new ISOInterval(value).parse().getExpireAt(now, now);
    return true;
  } catch {
    return false;
  }
}

/**
 * The engine runs every start event of a process at once: beside another start event, a timer start
 * would leave a second token waiting on its timer (and the scheduler would add a third). A process
 * started by a timer therefore has that one start event; other starts go in a process of their own.
 */
export function startTimerProblems(process: ModdleElement): BpmnProblem[] {
  const starts = listOf(process, 'flowElements').filter((element) => element.$type === 'bpmn:StartEvent');
  if (starts.length < 2) return [];
  return starts
    .filter((start) => listOf(start, 'eventDefinitions').some((definition) => definition.$type === 'bpmn:TimerEventDefinition'))
    .map((start) => problemAt(start, 'timer-start-not-alone'));
}
