import { SetMetadata } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { QueueName } from './queue-names.js';

export const JOB_HANDLER = Symbol('JOB_HANDLER');

export interface JobHandlerMetadata {
  queue: QueueName;
  name: string;
}

/** Marks a provider method as the handler of one job name on one queue; the worker finds it. */
export const HandlesJob = (queue: QueueName, name: string): MethodDecorator =>
  SetMetadata(JOB_HANDLER, { queue, name } satisfies JobHandlerMetadata);

export type JobHandlerFn = (job: Job) => Promise<unknown>;
