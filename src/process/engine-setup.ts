import { SignalTask } from 'bpmn-elements';
import { Engine, type BpmnEngineOptions } from 'bpmn-engine';
import type { ParseResult } from 'bpmn-moddle';

// What every engine of a run shares, made once per deployed version or per process (decision 0030).

/**
 * Service and send tasks wait like user tasks (bpmn-elements' SignalTask) instead of calling a
 * function inside the step: the runtime records the plug call, a queue job makes it, and its answer
 * comes back as a signal (or a BPMN error) in a later step. An in-process call would be lost with the
 * process, and re-run by every resume (bpm-anchors §0.15).
 */
export const SERVICE_TYPES = new Set(['bpmn:ServiceTask', 'bpmn:SendTask']);
export const WAITING_ELEMENTS = { ServiceTask: SignalTask, SendTask: SignalTask };

type SourceContext = NonNullable<BpmnEngineOptions['sourceContext']>;
type EngineLogger = NonNullable<BpmnEngineOptions['Logger']>;

/** What the engine does with a `moddleContext` when it is built (bpmn-engine 25, Engine#_serializeModdleContext). */
interface ContextSerialiser {
  _serializeModdleContext(moddleContext: ParseResult): SourceContext;
}

/** The engine's serialisation of each cached parse (bpmn-reader.ts), dropped with it. */
const sourceContexts = new WeakMap<ParseResult, SourceContext>();

/**
 * The definition as the engine runs it, made once per deployed version instead of at every step: given a
 * `moddleContext`, every new engine serialised it again (a walk of the whole model). The engine only
 * reads it. Its `serialize()` — the JSON text getState() stores as the definition's `source`, which
 * savedState() drops — is computed once too: the context never changes, so neither does the text.
 */
export function sourceContextOf(parsed: ParseResult): SourceContext {
  let context = sourceContexts.get(parsed);
  if (!context) {
    const serialiser = new Engine({ elements: WAITING_ELEMENTS }) as unknown as ContextSerialiser;
    const made = serialiser._serializeModdleContext(parsed);
    const text = made.serialize();
    made.serialize = () => text;
    context = made;
    sourceContexts.set(parsed, context);
  }
  return context;
}

/**
 * bpmn-engine's default Logger makes new `debug` instances for every element of every engine, and
 * each asks the terminal whether it takes colours (an isatty system call): one per scope is enough,
 * and DEBUG=bpmn-engine:* still works as before.
 */
const defaultLogger = (new Engine() as unknown as { options: { Logger: EngineLogger } }).options.Logger;
const loggers = new Map<string, ReturnType<EngineLogger>>();
export function loggerOf(scope: string): ReturnType<EngineLogger> {
  let logger = loggers.get(scope);
  if (!logger) {
    logger = defaultLogger(scope);
    loggers.set(scope, logger);
  }
  return logger;
}
