import { Module } from '@nestjs/common';
import { ProcessModule } from '../process/process.module.js';
import { CoreModule } from './core.module.js';

/** The worker role: BullMQ consumers. Modules with job handlers are imported here (ProcessModule: timers). */
@Module({ imports: [CoreModule, ProcessModule] })
export class WorkerAppModule {}
