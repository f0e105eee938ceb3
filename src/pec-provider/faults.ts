import { z } from 'zod';

/**
 * Fault injection for tests and demos (PEC_PROVIDER_FAULTS, a JSON array). Each rule matches a
 * recipient (for `miss-virus`, the sender) by exact address or by domain:
 * - refuse: RCPT TO is answered with `code` (default 451 4.3.0), as a provider in trouble does;
 * - disconnect: the connection is cut in the middle of DATA, nothing is accepted;
 * - delay: the busta reaches the recipient `delayMs` later than the configured latency;
 * - drop: accepted, then lost between providers: no busta, no receipt, so the 12 h and 24 h notices follow;
 * - miss-virus: the sender's punto di accesso lets a virus through (an antivirus behind on its
 *   signatures), so the recipient's gestore finds it: rilevazione virus + mancata consegna per virus;
 * - throttle (matched on the sending mailbox): MAIL FROM is answered with `code` and `text`, by
 *   default Legalmail's `550 5.7.1 "Class Of Service" - Too much traffic from this sender`; `times`
 *   limits it to the first n transactions of this provider process (then the mailbox sends normally
 *   again), so a test or a demo sees a mailbox slowed down and then recovering.
 */
const faultSchema = z.strictObject({
  match: z.string().min(1),
  action: z.enum(['refuse', 'disconnect', 'delay', 'drop', 'miss-virus', 'throttle']),
  delayMs: z.number().int().min(0).optional(),
  code: z.number().int().min(400).max(599).optional(),
  text: z.string().min(1).optional(),
  times: z.number().int().min(1).optional(),
});

export type Fault = z.infer<typeof faultSchema>;

export const faultListSchema = z.array(faultSchema);

/** What real providers answer a sender over its contract's rate (research/campaign-anchors.md, provider facts). */
const LEGALMAIL_THROTTLE = { code: 550, text: '5.7.1 "Class Of Service" - Too much traffic from this sender' };

export class FaultPlan {
  /** Throttle rules with `times`: how many transactions each has answered so far. */
  private readonly used = new Map<Fault, number>();

  constructor(private readonly faults: Fault[]) {}

  /** The throttle reply for this sender's next transaction, if a rule still applies (and counts it). */
  throttle(sender: string): { code: number; text: string } | undefined {
    const fault = this.find(sender, 'throttle');
    if (!fault) return undefined;
    const used = this.used.get(fault) ?? 0;
    if (fault.times !== undefined && used >= fault.times) return undefined;
    this.used.set(fault, used + 1);
    return { code: fault.code ?? LEGALMAIL_THROTTLE.code, text: fault.text ?? LEGALMAIL_THROTTLE.text };
  }

  /** The first rule for this address and action, if any. */
  find(addressOrRecipient: string, action: Fault['action']): Fault | undefined {
    const address = addressOrRecipient.toLowerCase();
    const domain = address.slice(address.lastIndexOf('@') + 1);
    return this.faults.find(
      (fault) => fault.action === action && (fault.match.toLowerCase() === address || fault.match.toLowerCase() === domain),
    );
  }
}
