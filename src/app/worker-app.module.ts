import { Module } from '@nestjs/common';
import { CoreModule } from './core.module.js';

/** The worker role: BullMQ consumers. Modules with job handlers are imported here. */
@Module({ imports: [CoreModule] })
export class WorkerAppModule {}
