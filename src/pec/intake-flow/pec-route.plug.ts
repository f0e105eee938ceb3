import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { PlugBusinessError, RegisterPlug, type Plug, type PlugOutput } from '../../plugs/plug.js';
import { candidatesOf, NoOfficeError, PecRouting, type RoutingDecision } from './pec-routing.js';

const input = z.object({
  mailboxId: z.string().uuid().nullable().optional(),
  mailboxAddress: z.string().nullable().optional(),
  sender: z.string().nullable().optional(),
  subject: z.string().nullable().optional(),
  /** An office a person chose on the task ("Inoltra"); empty or absent: the rules decide. */
  forwardTo: z.string().nullable().optional(),
});
type RouteInput = z.infer<typeof input>;

/**
 * `pec-route`: the routing step of workflows/pec/intake.bpmn. Answers the office (`routedOffice`),
 * the candidate groups of the task that follows (`candidates`) and why (`routedBy`, `routingRule`).
 * It reads and decides, it changes nothing, so repeating it is harmless. A configuration that names
 * no existing office throws: retried, then an incident an admin sees and retries once it is fixed;
 * a forward to an office that does not exist is the BPMN error `forward-unknown-office`.
 */
@RegisterPlug()
@Injectable()
export class PecRoutePlug implements Plug<RouteInput> {
  readonly name = 'pec-route';
  readonly version = '1';
  readonly input = input;

  constructor(private readonly routing: PecRouting) {}

  async handle(call: RouteInput): Promise<PlugOutput> {
    const message = { mailboxAddress: call.mailboxAddress ?? null, sender: call.sender ?? null, subject: call.subject ?? null };
    let decision: RoutingDecision;
    try {
      decision = await this.routing.route({ ...message, forwardTo: call.forwardTo ?? null }, call.mailboxId ?? null);
    } catch (error) {
      // A person typed an office that does not exist: the model sends the task back to them (a business answer, not an incident).
      if (error instanceof NoOfficeError && call.forwardTo?.trim()) throw new PlugBusinessError('forward-unknown-office', error.message);
      throw error;
    }
    return {
      routedOffice: decision.office,
      candidates: candidatesOf(decision.office),
      routedBy: decision.by,
      routingRule: decision.rule?.name ?? null,
      // Consumed: a later pass through the routing step (the next "Inoltra") starts from the rules again.
      forwardTo: null,
    };
  }
}
