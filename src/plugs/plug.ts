import { SetMetadata } from '@nestjs/common';
import type { z } from 'zod';

/** What a plug answers: a JSON object (a service task maps it into process variables). */
export type PlugOutput = Record<string, unknown>;

/** Who and what a call is for. Every side effect of a plug is keyed by `idempotencyKey`. */
export interface PlugContext {
  tenantId: string;
  /**
   * The same for every attempt of one logical call (a service task: its instance and execution id):
   * a call repeated after a crash or a retry must not repeat the effect.
   */
  idempotencyKey: string;
  /** The process instance and the engine execution the call comes from, when a process makes it. */
  instanceId: string | null;
  executionId: string | null;
  /** The user on whose behalf the call runs (a process: whoever started it), when there is one. */
  principal: { userId: string; email: string } | null;
  /** The campaign the call is part of, when one: its beats are grouped under it. */
  campaignId?: string | null;
}

/**
 * A named, versioned capability (`notify`, `call-process`, later `pec.send`…). Adding one is adding
 * one class: implement this interface, mark it @RegisterPlug(), give it a price in the platform price
 * list and list it as a provider of any module; PlugRegistry finds it. The handler receives the input
 * already validated by `input`.
 */
export interface Plug<Input = unknown> {
  readonly name: string;
  readonly version: string;
  readonly input: z.ZodType<Input>;
  /**
   * How many billable units a call is (recipients, pages…): it is charged units × the plug's price in
   * beats (src/beats/price-list.ts). Without it, a call is one unit.
   */
  units?(input: Input): number;
  handle(input: Input, context: PlugContext): Promise<PlugOutput>;
}

export const PLUG = Symbol('PLUG');

/** Marks a provider class as a plug; the registry discovers it at bootstrap. */
export const RegisterPlug = (): ClassDecorator => SetMetadata(PLUG, true);

/**
 * A business outcome, not a fault: a process routes it to an error boundary event whose bpmn:error
 * has this errorCode (or to a catch-all one). Never retried.
 */
export class PlugBusinessError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A call that can never succeed as it is (unknown plug, input that does not fit): no retry, straight to an incident. */
export class PlugRejected extends Error {}
