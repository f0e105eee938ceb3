import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { JobQueues } from './job-queues.js';
import { JobWorker } from './job-worker.js';
import { RedisModule } from './redis.module.js';

@Global()
@Module({
  imports: [DiscoveryModule, RedisModule],
  providers: [JobQueues, JobWorker],
  exports: [JobQueues, JobWorker],
})
export class QueueModule {}
