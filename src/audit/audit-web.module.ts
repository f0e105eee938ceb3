import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module.js';
import { AuditApiController } from './audit-api.controller.js';
import { AuditPageController } from './audit-page.controller.js';

/**
 * The activity log's page, exports and API. Only the web role serves them: the worker and the
 * command line build application contexts, which have no HTTP routes.
 */
@Module({
  imports: [IdentityModule],
  controllers: [AuditPageController, AuditApiController],
})
export class AuditWebModule {}
