import { Module, type OnModuleInit } from '@nestjs/common';
import { AuditModule } from '../../audit/audit.module.js';
import { ProcessModule } from '../../process/process.module.js';
import { TaskLinks } from '../../process/task-links.js';
import { InboundMessageHandlers } from '../intake/inbound-handlers.js';
import { PecIntakeModule } from '../intake/pec-intake.module.js';
import { IntakeStarts } from './intake-starts.js';
import { PecRoutingModule } from './pec-routing.module.js';
import { intakeTaskLinks } from './intake-task-links.js';

/**
 * The intake process (docs/decisions/0021): every incoming PEC a person must work starts
 * workflows/pec/intake.bpmn once; its task links to the PEC and to the reply page.
 */
@Module({
  imports: [AuditModule, ProcessModule, PecIntakeModule, PecRoutingModule],
  providers: [IntakeStarts],
  exports: [IntakeStarts],
})
export class PecIntakeFlowModule implements OnModuleInit {
  constructor(
    private readonly handlers: InboundMessageHandlers,
    private readonly starts: IntakeStarts,
    private readonly links: TaskLinks,
  ) {}

  onModuleInit(): void {
    this.handlers.register('intake-process', async (items) => {
      for (const { message, parsed } of items) await this.starts.handle(message, parsed);
    });
    this.links.use(intakeTaskLinks);
  }
}
