import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { BeatsMeter, type Charge, type Hold, type MeteredCall } from '../beats/beats-meter.js';
import { PlugRejected, type Plug, type PlugContext, type PlugOutput } from './plug.js';
import { PlugRegistry } from './plug-registry.js';

/**
 * The one way anything calls a plug and the one place calls are metered in beats (0010, 0022):
 * process service tasks call plugs through `invoke` (reserve → handle → debit, or release when it
 * fails); work accepted now and done later by a queue (a PEC to send) is `hold` then `settle` or
 * `cancel`; work that is never refused (a PEC received) is `chargeAlways` (in its storing transaction). Refused work throws
 * BeatsExhausted before anything is done.
 */
@Injectable()
export class PlugInvocation {
  constructor(
    private readonly registry: PlugRegistry,
    private readonly meter: BeatsMeter,
  ) {}

  async invoke(name: string, input: unknown, context: PlugContext): Promise<PlugOutput> {
    const plug = this.registry.get(name);
    if (!plug) throw new PlugRejected(`no plug named "${name}"`);
    const parsed = plug.input.safeParse(input);
    if (!parsed.success) {
      const reasons = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`);
      throw new PlugRejected(`${name}: invalid input (${reasons.join('; ')})`);
    }
    const call: MeteredCall = {
      plug: name,
      units: unitsOf(plug, parsed.data),
      key: context.idempotencyKey,
      principal: context.principal,
      campaignId: context.campaignId ?? null,
      subject: context.instanceId ? { type: 'process-instance', id: context.instanceId } : null,
    };
    return this.meter.around(call, () => plug.handle(parsed.data, context));
  }

  /** Holds the beats of metered work done later, in the transaction that accepts it (BeatsExhausted if short). */
  hold(call: MeteredCall, manager: EntityManager): Promise<Hold> {
    return this.meter.hold(call, manager);
  }

  /** The held work was done for `call.units` units: charged; what is left of the hold goes back. */
  settle(call: MeteredCall): Promise<void> {
    return this.meter.settle(call);
  }

  /** The held work will not be done: its beats go back. */
  cancel(call: Pick<MeteredCall, 'plug' | 'key' | 'principal'>): Promise<void> {
    return this.meter.cancel(call);
  }

  /**
   * Work never refused (a PEC received), charged in the transaction that stores it: uncovered beats
   * are overdraft; `recordActivity` once that transaction has committed.
   */
  chargeAlways(call: MeteredCall, manager: EntityManager): Promise<Charge> {
    return this.meter.chargeAlways(call, manager);
  }
}

function unitsOf(plug: Plug, input: unknown): number {
  return plug.units ? plug.units(input) : 1;
}
