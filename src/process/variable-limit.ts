import { Inject, Injectable } from '@nestjs/common';
import { ProblemException } from '../api/problem.js';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import type { JsonObject } from './process-instance.entity.js';

/** A step would leave the instance with more variables than PROCESS_VARIABLES_MAX_BYTES: it is refused whole. */
export class VariablesTooLarge extends ProblemException {
  constructor(bytes: number, limit: number) {
    super(
      413,
      'too-large',
      `the instance's variables would take ${bytes} bytes of JSON, over the limit of ${limit} (PROCESS_VARIABLES_MAX_BYTES): ` +
        'store large content (a PEC body, a document) elsewhere and pass its id',
    );
  }
}

/**
 * Keeps variables small: they are read and rewritten whole at every step, and searched by
 * containment, so a large payload belongs in its own store (PEC messages, task attachments,
 * solution records) with only its id in the variables.
 */
@Injectable()
export class VariableLimit {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Throws VariablesTooLarge when `variables` are over the limit, as UTF-8 JSON. */
  check(variables: JsonObject): void {
    const bytes = Buffer.byteLength(JSON.stringify(variables), 'utf8');
    if (bytes > this.config.PROCESS_VARIABLES_MAX_BYTES) throw new VariablesTooLarge(bytes, this.config.PROCESS_VARIABLES_MAX_BYTES);
  }
}
