import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { RegisterPlug, type Plug, type PlugOutput } from './plug.js';

const input = z.record(z.string().regex(/^[A-Za-z_$][\w$]*$/, 'a variable name'), z.unknown());

/**
 * `set-variables`: answers its input, so a service task's input parameters become process
 * variables (the Camunda idiom of a "no-op task with output mapping"). No side effect.
 */
@RegisterPlug()
@Injectable()
export class SetVariablesPlug implements Plug<z.infer<typeof input>> {
  readonly name = 'set-variables';
  readonly version = '1';
  readonly input = input;

  handle(values: z.infer<typeof input>): Promise<PlugOutput> {
    return Promise.resolve({ ...values });
  }
}
