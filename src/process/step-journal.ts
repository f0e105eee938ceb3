import type { EventEmitter } from 'node:events';

/** What the engine did to one element during a step, in the order it happened. */
export interface ElementEvent {
  event: 'started' | 'completed' | 'cancelled' | 'timer-fired';
  elementId: string;
  elementType: string | null;
  elementName: string | null;
  at: Date;
}

interface ActivityApi {
  id: string;
  type?: string;
  name?: string;
  executionId?: string;
  owner?: { type?: string; name?: string };
}

/**
 * Gathers the element events of one step from the engine's listener, for the process history.
 * A resumed engine does not repeat what earlier steps did (no second `activity.start` for a task that
 * already waits), so what is gathered is exactly this step's work. An element that leaves without
 * ending was interrupted (a boundary timer took it, a completed task took its boundary event): cancelled.
 * One that was discarded never ran (a path not taken): nothing to record.
 */
export class StepJournal {
  private readonly gathered: ElementEvent[] = [];
  private readonly ended = new Set<string>();
  private readonly discarded = new Set<string>();

  /** Listens on `listener`; called again after the listener was cleared (each settle clears it). */
  attach(listener: EventEmitter): void {
    listener.on('activity.start', (api: ActivityApi) => this.add('started', api));
    listener.on('activity.end', (api: ActivityApi) => {
      this.ended.add(executionOf(api));
      this.add('completed', api);
    });
    listener.on('activity.discard', (api: ActivityApi) => this.discarded.add(executionOf(api)));
    listener.on('activity.leave', (api: ActivityApi) => {
      const execution = executionOf(api);
      if (!this.ended.has(execution) && !this.discarded.has(execution)) this.add('cancelled', api);
    });
    // The timer's event definition times out; the history names the element that carries it.
    listener.on('activity.timeout', (api: ActivityApi) => this.add('timer-fired', api));
  }

  events(): ElementEvent[] {
    return [...this.gathered];
  }

  private add(event: ElementEvent['event'], api: ActivityApi): void {
    // For an event definition's messages (a boundary timer ending) api.type is the definition's; the owner is the element.
    const type = api.owner?.type ?? api.type ?? null;
    this.gathered.push({
      event,
      elementId: api.id,
      elementType: type?.endsWith('EventDefinition') ? null : type,
      elementName: api.name ?? api.owner?.name ?? null,
      at: new Date(),
    });
  }
}

function executionOf(api: ActivityApi): string {
  return api.executionId ?? api.id;
}
