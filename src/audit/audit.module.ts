import { Global, Module } from '@nestjs/common';
import { ActivityLogRepository } from './activity-log.repository.js';
import { ActivityLog } from './activity-log.js';
import { SignInAudit } from './sign-in-audit.js';

/**
 * `ActivityLog`, for every module that records security-relevant actions. Global and without
 * imports, so that any module (identity included) can inject it without an import cycle.
 */
@Global()
@Module({
  providers: [ActivityLog, ActivityLogRepository, SignInAudit],
  exports: [ActivityLog, SignInAudit],
})
export class AuditModule {}
