import { Module } from '@nestjs/common';
import { AuditModule } from '../../audit/audit.module.js';
import { InboundMessageHandlers } from './inbound-handlers.js';
import { InboundJobs } from './inbound-jobs.js';
import { IntakeLease } from './intake-lease.js';
import { IntakeMeter } from './intake-meter.js';
import { IntakeStore } from './intake-store.js';
import { IntakeSupervisor } from './intake-supervisor.js';
import { MailboxStatus } from './mailbox-status.js';

/**
 * PEC intake (docs/decisions/0017-pec-intake.md): the readers of the worker role, the raw store and
 * the pec-inbound hand-off. Other modules plug into InboundMessageHandlers; the beats issue replaces IntakeMeter.
 */
@Module({
  imports: [AuditModule],
  providers: [IntakeStore, IntakeLease, IntakeMeter, MailboxStatus, InboundMessageHandlers, InboundJobs, IntakeSupervisor],
  exports: [InboundMessageHandlers, IntakeMeter, IntakeSupervisor, InboundJobs],
})
export class PecIntakeModule {}
