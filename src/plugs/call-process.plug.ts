import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { z } from 'zod';
import { ProblemException } from '../api/problem.js';
import { ProcessRuntime } from '../process/process-runtime.js';
import { PlugRejected, RegisterPlug, type Plug, type PlugContext, type PlugOutput } from './plug.js';

const input = z.object({
  /** The deployed process to start (its latest version), by key. */
  processKey: z.string().min(1).max(255),
  /** A number (a protocol number in a variable) is taken as its text. */
  businessKey: z
    .union([z.string().min(1).max(255), z.number().transform(String)])
    .nullable()
    .optional(),
  variables: z.record(z.string(), z.unknown()).optional(),
});
type CallInput = z.infer<typeof input>;

/**
 * `call-process`: starts another deployed process of the workspace. The started instance carries the
 * call's idempotency key (process_instances.start_key), so however often the call is repeated it
 * starts one instance and answers that one.
 */
@RegisterPlug()
@Injectable()
export class CallProcessPlug implements Plug<CallInput> {
  readonly name = 'call-process';
  readonly version = '1';
  readonly input = input;

  // The runtime calls plugs (service tasks) and this plug calls the runtime: it is looked up at call
  // time, so the plugs module (in every role, the deploy-time validator needs the plug names) does
  // not have to import the process runtime's module.
  constructor(private readonly modules: ModuleRef) {}

  async handle(call: CallInput, context: PlugContext): Promise<PlugOutput> {
    if (!context.principal) throw new PlugRejected('call-process: no user to start the process on behalf of');
    const runtime = this.modules.get(ProcessRuntime, { strict: false });
    const principal = { userId: context.principal.userId, email: context.principal.email, grants: [], roles: [] };
    try {
      const started = await runtime.start(call.processKey, call.businessKey ?? null, call.variables ?? {}, principal, {
        startKey: `call-process:${context.idempotencyKey}`,
      });
      return { calledInstanceId: started.id, calledInstanceStatus: started.status };
    } catch (error) {
      // Retried, then an incident: deploying the missing process and retrying it is the fix.
      if (error instanceof ProblemException && error.getStatus() === 422)
        throw new Error(`call-process: no deployed process "${call.processKey}"`, { cause: error });
      throw error;
    }
  }
}
