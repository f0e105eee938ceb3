import { Timers } from 'bpmn-elements';
import { Engine } from 'bpmn-engine';
import jexl from 'jexl';
import { EventEmitter } from 'node:events';
import { readDeployedBpmn } from './bpmn-reader.js';
import { loggerOf, SERVICE_TYPES, sourceContextOf, WAITING_ELEMENTS } from './engine-setup.js';
import { messageListeners, type ListenedMessage } from './message-rules.js';
import { signalCatches, signalNames, type CaughtSignal } from './signal-rules.js';
import type { JsonObject } from './process-instance.entity.js';
import { StepJournal, type ElementEvent } from './step-journal.js';
import { evaluateParameters, serviceTaskModel, type IoParameter } from './service-task-io.js';

// The same restricted language the validator checks conditions against (expression-check.ts):
// no transforms or functions are registered, so a model can compare variables and nothing more.
const language = new jexl.Jexl();

/** A stable point is reached quickly for what this slice runs; a hang is a failure, not a stuck request. */
const SETTLE_TIMEOUT_MS = 10_000;

/** Steps this slice does not run yet: an instance reaching one fails with a reason instead of waiting forever. */
const UNSUPPORTED_TYPES = new Set(['bpmn:BusinessRuleTask', 'bpmn:CallActivity']);

export class InstanceFailure extends Error {}

/** The task's execution is not among those the engine waits on: nothing was signalled. */
export class NotWaiting extends Error {}

/** A user task the engine waits on, with the camunda: attributes the task row needs. */
export interface WaitingUserTask {
  elementId: string;
  executionId: string;
  name: string | null;
  candidateGroups: string | null;
  assignee: string | null;
  formKey: string | null;
  dueDate: string | null;
  priority: string | null;
}

/** A timer the engine waits on at the end of a step; the runtime makes it durable (process_timers). */
export interface PendingTimer {
  elementId: string;
  /** The timer event definition's execution id, as in the saved state and the activity.timer event. */
  executionId: string;
  dueAt: Date;
}

/** A service or send task the engine waits on: the plug to call with its input, evaluated now. */
export interface WaitingServiceTask {
  elementId: string;
  executionId: string;
  topic: string;
  input: JsonObject;
  outputs: IoParameter[];
}

export type SettledRun = {
  outcome: 'waiting' | 'completed';
  state: JsonObject;
  activeElements: string[];
  userTasks: WaitingUserTask[];
  timers: PendingTimer[];
  serviceTasks: WaitingServiceTask[];
  /** The names of the messages the waiting elements listen to: the instance's waiting_messages. */
  waitingMessages: string[];
  /** The names of the signals the waiting elements catch: the instance's waiting_signals. */
  waitingSignals: string[];
  /** The names of the signals thrown during this step (intermediate throw, end event), to relay to other instances. */
  thrownSignals: string[];
  /** What the engine did to the elements during this step, for the process history. */
  events: ElementEvent[];
};

/** What a registered engine timer carries as its owner (bpmn-elements TimerEventDefinition content). */
interface TimerOwner {
  id?: string;
  executionId?: string;
  expireAt?: Date | string;
}

interface ElementApi {
  id: string;
  type: string;
  name?: string;
  executionId: string;
  content: { executionId?: string };
  owner: { behaviour?: Record<string, unknown> };
  sendApiMessage(action: string, content?: Record<string, unknown>): void;
}

/**
 * One hydrated engine for one step of one instance. Nothing is kept between calls: the engine is
 * built from the BPMN and the saved state each time, and dropped once the step settled (design §3).
 */
export class EngineRun {
  private readonly listener = new EventEmitter();
  private settled: Promise<'waiting' | 'completed'> | null = null;
  private readonly journal = new StepJournal();
  private readonly thrown: string[] = [];

  private constructor(
    private readonly engine: Engine,
    private readonly variables: () => JsonObject,
    private readonly timers: Timers,
    private readonly listeners: Map<string, ListenedMessage>,
    private readonly signals: Map<string, CaughtSignal>,
    private readonly signalNames: Map<string, string>,
  ) {}

  /**
   * A new engine for the definition's XML; conditions are evaluated against `variables()` at the moment they run.
   * The engine itself is never given the variables: every expression it meets comes back to `variables()`
   * (only bpmn-engine's data objects read its environment directly, and they find there only what the
   * engine wrote), so its state holds none of them and a step that never calls `variables()` did not depend on them.
   */
  static async create(bpmn: string, variables: () => JsonObject, state?: JsonObject): Promise<EngineRun> {
    const read = await readDeployedBpmn(bpmn);
    if (!read.ok) throw new InstanceFailure(`the definition cannot be read: ${read.problem.code}`);
    const expressions = {
      isExpression: (text: unknown) => typeof text === 'string' && /^\$\{[\s\S]+\}$/.test(text.trim()),
      hasExpression: (text: unknown) => typeof text === 'string' && /\$\{[\s\S]+?\}/.test(text),
      resolveExpression: (text: string) => evaluate(text, variables()),
    };
    // Timers are registered but never armed: a setTimeout would outlive the dropped engine and is lost on
    // a crash anyway (bpm-anchors §0.18). The runtime records them and a BullMQ job resumes the instance.
    const timers = new Timers({ setTimeout: inert as unknown as typeof setTimeout, clearTimeout: inert as unknown as typeof clearTimeout });
    const engine = new Engine({
      name: 'pecflow',
      sourceContext: sourceContextOf(read.parsed),
      expressions,
      timers,
      elements: WAITING_ELEMENTS,
      Logger: loggerOf,
    });
    // The saved state has no `source`: recover() takes the definition from the moddle context by its id.
    if (state) engine.recover(structuredClone(state));
    return new EngineRun(
      engine,
      variables,
      timers,
      messageListeners(read.definitions),
      signalCatches(read.definitions),
      signalNames(read.definitions),
    );
  }

  /**
   * The saved state with one timer made due now: on resume the engine keeps a timer's saved expireAt
   * and fires an expired one at once (bpm-anchors §0.17). Rewriting it, rather than trusting the clock,
   * lets an accelerated job (PROCESS_CLOCK_FACTOR) or one a few ms early still fire that timer.
   */
  static expireTimer(state: JsonObject, executionId: string, now: Date): { state: JsonObject; found: boolean } {
    const copy = structuredClone(state);
    let found = false;
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(visit);
      if (!node || typeof node !== 'object') return;
      const record = node as Record<string, unknown>;
      if (record.executionId === executionId && 'expireAt' in record) {
        record.expireAt = now.toISOString();
        found = true;
      }
      Object.values(record).forEach(visit);
    };
    visit(copy);
    return { state: copy, found };
  }

  /** Starts a new instance and waits for its first stable point. */
  async start(): Promise<SettledRun> {
    this.arm();
    await this.engine.execute({ listener: this.listener });
    return this.settle();
  }

  /** Resumes a recovered instance (whose due timer was made expired) and waits for the next stable point. */
  async resume(): Promise<SettledRun> {
    this.arm();
    await this.engine.resume({ listener: this.listener });
    return this.settle();
  }

  /** Resumes a recovered instance, signals one waiting user task and waits for the next stable point. */
  async complete(elementId: string, executionId: string, data: JsonObject): Promise<SettledRun> {
    await this.engine.resume({ listener: this.listener });
    const waiting = this.postponed().some((api) => api.id === elementId && api.executionId === executionId);
    // signal() silently ignores executions that are not waiting (bpm-anchors §0.9).
    if (!waiting) throw new NotWaiting(`${elementId} (${executionId}) is not waiting`);
    this.arm();
    this.engine.execution.signal({ ...data, id: elementId, executionId });
    return this.settle();
  }

  /**
   * Resumes a recovered instance and fails one waiting service task with a BPMN error: an error
   * boundary event whose bpmn:error has `code` as errorCode (or one with no errorRef) takes over.
   * Nobody catching it ends the step in an InstanceFailure, which the caller does not save.
   */
  async throwError(elementId: string, executionId: string, code: string, message: string): Promise<SettledRun> {
    await this.engine.resume({ listener: this.listener });
    const task = this.postponed().find((api) => api.id === elementId && api.executionId === executionId);
    if (!task) throw new NotWaiting(`${elementId} (${executionId}) is not waiting`);
    this.arm();
    // Api.fail() would drop the code: the error api message's content becomes the ActivityError's inner error.
    task.sendApiMessage('error', { message, code, name: code });
    return this.settle();
  }

  /**
   * The variables a completed service task sets: with output parameters, those, evaluated against
   * the variables and the plug's answer; without, the whole answer (Camunda's external tasks).
   */
  static outputVariables(outputs: IoParameter[], variables: JsonObject, answer: JsonObject): JsonObject {
    if (outputs.length === 0) return answer;
    const scope = { ...variables, ...answer };
    return evaluateParameters(outputs, (expression) => evaluate(expression, scope));
  }

  /**
   * Resumes a recovered instance and signals the bpmn:message named `name` by its id (the engine knows
   * messages by id, correlation by name): every catch, boundary event or receive task waiting on it
   * moves on (bpm-anchors §1.8). The variables are ours, not the signal's payload.
   */
  async signalMessage(name: string): Promise<SettledRun> {
    await this.engine.resume({ listener: this.listener });
    const waiting = this.postponed().find((api) => this.listeners.get(api.id)?.name === name);
    const messageId = waiting && this.listeners.get(waiting.id)?.messageId;
    if (!messageId) throw new NotWaiting(`no element waits for message ${name}`);
    this.arm();
    this.engine.execution.signal({ id: messageId });
    return this.settle();
  }

  /**
   * Resumes a recovered instance and delivers the bpmn:signal named `name` by its id: every catch of
   * the instance waiting on it moves on (an intermediate catch, a boundary event, an event-based gateway branch).
   */
  async deliverSignal(name: string): Promise<SettledRun> {
    await this.engine.resume({ listener: this.listener });
    const waiting = this.postponed().find((api) => this.signals.get(api.id)?.name === name);
    const signalId = waiting && this.signals.get(waiting.id)?.signalId;
    if (!signalId) throw new NotWaiting(`no element waits for signal ${name}`);
    this.arm();
    this.engine.execution.signal({ id: signalId });
    return this.settle();
  }

  /** Starts a new instance whose message (or signal) start event waits, then delivers it that message or signal by its id. */
  async startOnMessage(messageId: string): Promise<SettledRun> {
    await this.start();
    this.arm();
    this.engine.execution.signal({ id: messageId });
    return this.settle();
  }

  /**
   * Starts a new instance from its timer start event, which the scheduler (start-timers.ts) found due:
   * the engine registers that timer and waits (nothing is armed here), so it is fired at once by
   * calling its callback. A timer already expired (a past timeDate) has fired by itself.
   */
  async startOnTimer(startEventId: string): Promise<SettledRun> {
    const started = await this.start();
    const due = this.timers.executing.find((timer) => (timer.owner as TimerOwner | undefined)?.id === startEventId);
    if (!due) return started;
    this.arm();
    this.timers.clearTimeout(due);
    const { callback, args } = due as unknown as { callback: (...values: unknown[]) => void; args?: unknown[] };
    callback(...(args ?? []));
    return this.settle();
  }

  private postponed(): ElementApi[] {
    return this.engine.execution?.getPostponed() ?? [];
  }

  /** Listens before anything runs, so an instance that settles synchronously is not missed. */
  private arm(): void {
    this.journal.attach(this.listener);
    this.settled = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new InstanceFailure('no stable point within 10 s')), SETTLE_TIMEOUT_MS);
      const done = (outcome: 'waiting' | 'completed' | Error) => {
        clearTimeout(timer);
        this.listener.removeAllListeners();
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      // Several activities may start waiting in one step (parallel branches): look once the step's events are out.
      // Pending timers count as waiting: they are never armed here (create()), a job resumes the instance.
      const look = () => setImmediate(() => ['wait', 'timer'].includes(String(this.engine.activityStatus)) && done('waiting'));
      this.listener.on('wait', look);
      this.listener.on('activity.timer', look);
      // A throw publishes the bpmn:signal's id; the engine itself delivers it to this instance's catches.
      this.listener.on('activity.signal', (api: { content: { message?: { id?: string } } }) => {
        const name = this.signalNames.get(api.content.message?.id ?? '');
        if (name) this.thrown.push(name);
      });
      this.listener.on('activity.start', (api: ElementApi) => {
        if (UNSUPPORTED_TYPES.has(api.type)) done(new InstanceFailure(`${api.type} ${api.id} is not supported yet`));
      });
      this.engine.once('end', () => done('completed'));
      this.engine.once('error', (error: Error) => done(new InstanceFailure(error.message)));
    });
  }

  private async settle(): Promise<SettledRun> {
    try {
      const outcome = await this.settled!;
      // Read once: the engine walks every definition, process and activity to answer it.
      const postponed = this.postponed();
      return {
        outcome,
        state: await this.savedState(),
        activeElements: [...new Set(postponed.map((api) => api.id))].sort(),
        userTasks: this.userTasks(postponed),
        timers: outcome === 'completed' ? [] : this.pendingTimers(),
        serviceTasks: this.serviceTasks(postponed),
        waitingMessages: [...new Set(postponed.flatMap((api) => this.listeners.get(api.id)?.name ?? []))].sort(),
        thrownSignals: [...this.thrown],
        waitingSignals: [...new Set(postponed.flatMap((api) => this.signals.get(api.id)?.name ?? []))].sort(),
        events: this.journal.events(),
      };
    } catch (error) {
      // stop() only when something runs: on an idle engine it never resolves (bpm-anchors §0.22).
      if (String(this.engine.state) === 'running') void Promise.resolve(this.engine.stop()).catch(() => undefined);
      throw error instanceof InstanceFailure ? error : new InstanceFailure((error as Error).message);
    }
  }

  private async savedState(): Promise<JsonObject> {
    const state = (await this.engine.getState()) as unknown as JsonObject & { definitions?: JsonObject[] };
    for (const definition of state.definitions ?? []) delete definition.source;
    return JSON.parse(JSON.stringify(state)) as JsonObject;
  }

  /** The timers registered and not cleared: a fired or discarded timer leaves this list (bpmn-elements Timers). */
  private pendingTimers(): PendingTimer[] {
    return this.timers.executing.flatMap((timer) => {
      const owner = (timer.owner ?? {}) as TimerOwner;
      const dueAt = owner.expireAt === undefined ? null : new Date(owner.expireAt);
      if (!owner.id || !owner.executionId || !dueAt || Number.isNaN(dueAt.getTime())) return [];
      return [{ elementId: owner.id, executionId: owner.executionId, dueAt }];
    });
  }

  private serviceTasks(postponed: ElementApi[]): WaitingServiceTask[] {
    return postponed
      .filter((api) => SERVICE_TYPES.has(api.type))
      .map((api) => {
        const model = serviceTaskModel(api.owner.behaviour ?? {});
        const variables = this.variables();
        return {
          elementId: api.id,
          executionId: api.executionId,
          topic: model.topic ?? '',
          input: evaluateParameters(model.inputs, (expression) => evaluate(expression, variables)),
          outputs: model.outputs,
        };
      });
  }

  private userTasks(postponed: ElementApi[]): WaitingUserTask[] {
    return postponed
      .filter((api) => api.type === 'bpmn:UserTask')
      .map((api) => {
        const behaviour = api.owner.behaviour ?? {};
        const text = (key: string) => {
          const value = behaviour[key];
          return typeof value === 'string' ? value : null;
        };
        return {
          elementId: api.id,
          executionId: api.executionId,
          name: api.name ?? text('name'),
          candidateGroups: text('candidateGroups'),
          assignee: text('assignee'),
          formKey: text('formKey'),
          dueDate: text('dueDate'),
          priority: typeof behaviour.priority === 'number' ? String(behaviour.priority) : text('priority'),
        };
      });
  }
}

/** Stands in for setTimeout/clearTimeout in the engine's Timers: nothing is armed in this process. */
function inert(): undefined {
  return undefined;
}

/** `${ … }` evaluated with Jexl against the instance's variables; anything else is taken literally. */
function evaluate(text: string, variables: JsonObject): unknown {
  const inner = /^\$\{([\s\S]*)\}$/.exec(text.trim())?.[1];
  if (inner === undefined) return text;
  try {
    return language.evalSync(inner, variables);
  } catch (error) {
    throw new InstanceFailure(`expression ${text}: ${(error as Error).message}`);
  }
}
