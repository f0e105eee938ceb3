import { Injectable } from '@nestjs/common';
import { EngineRun, type SettledRun } from './engine-run.js';
import type { ProcessDefinition } from './process-definition.entity.js';
import type { JsonObject } from './process-instance.entity.js';

/** Versions whose first step is kept; a start of any other version runs the engine as before. */
const KEPT_VERSIONS = 500;

/**
 * The first step of a new instance, run once per definition version when it can be (decision 0035).
 *
 * The engine never holds the variables (EngineRun.create): a first step that never asked for them —
 * no condition, expression or service task input on the way to the first stable point — ends in the
 * same state for every instance of the version, up to the engine's random execution ids, which only
 * have to be unique within an instance (every table keys them by instance). Such a step is kept
 * (frozen, so nothing can change it) and handed to the next starts with their own times; a step that
 * asked for the variables, or that waits on timers or service tasks, is run again for every start.
 * Task candidates and assignees named by variables are resolved per start after the step (task-rows.ts).
 * A deployed version never changes, so nothing kept goes stale.
 */
@Injectable()
export class StartSnapshots {
  /** By definition id, oldest first; null: this version's first step depends on the instance. */
  private readonly kept = new Map<string, SettledRun | null>();

  /** The first stable point of a new instance of `definition` started with `variables`. */
  async start(definition: ProcessDefinition, variables: JsonObject): Promise<SettledRun> {
    const snapshot = this.kept.get(definition.id);
    if (snapshot) return stamped(snapshot, new Date());
    let asked = false;
    const run = await (
      await EngineRun.create(definition.bpmn, () => {
        asked = true;
        return variables;
      })
    ).start();
    if (!this.kept.has(definition.id)) this.keep(definition.id, asked || !alone(run) ? null : deepFreeze(run));
    return run;
  }

  private keep(id: string, run: SettledRun | null): void {
    if (this.kept.size >= KEPT_VERSIONS) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(id, run);
  }
}

/**
 * Nothing in the step is due at a time of its own or called with the instance's input. Both already
 * ask for the variables today (a timer's value and a service task's input are evaluated through
 * them); said here too, because the reason is the time and the input, not how they are evaluated.
 */
function alone(run: SettledRun): boolean {
  return run.timers.length === 0 && run.serviceTasks.length === 0;
}

/** The kept step as this start's: its history lines carry this start's time. */
function stamped(run: SettledRun, at: Date): SettledRun {
  return { ...run, events: run.events.map((event) => ({ ...event, at })) };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value as Record<string, unknown>)) deepFreeze(inner);
  }
  return value;
}
