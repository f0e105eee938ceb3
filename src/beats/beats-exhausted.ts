import { PlugBusinessError } from '../plugs/plug.js';

/**
 * Outgoing work refused for lack of beats; nothing was done. A business outcome: a process may route
 * it (an error boundary on `beats-exhausted`), the API answers 402 `beats-exhausted` (ProblemFilter).
 */
export class BeatsExhausted extends PlugBusinessError {
  constructor(
    readonly plug: string,
    /** What the call costs. */
    readonly needed: number,
    /** The tenant's available beats when it was refused (balance − reserved). */
    readonly available: number,
    readonly shortfall: number,
  ) {
    super('beats-exhausted', `${plug}: ${needed} beats needed, ${available} available (${shortfall} short)`);
  }
}
