import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { AdministrationModule } from '../administration/administration.module.js';
import { ApiModule } from '../api/api.module.js';
import { BeatsWebModule } from '../beats/beats-web.module.js';
import { BeatsVisibilityWebModule } from '../beats/beats-visibility-web.module.js';
import { CampaignsWebModule } from '../campaigns/campaigns-web.module.js';
import { CampaignSendingModule } from '../campaigns/sending/campaign-sending.module.js';
import { HealthModule } from '../health/health.module.js';
import { MailboxesWebModule } from '../mailboxes/mailboxes-web.module.js';
import { PecMessagesWebModule } from '../pec/pec-messages-web.module.js';
import { IpAllowlistMiddleware } from '../policies/ip-allowlist.middleware.js';
import { TenantResolverMiddleware } from '../tenancy/tenant-resolver.middleware.js';
import { PecIntakeModule } from '../pec/intake/pec-intake.module.js';
import { PecIntakeFlowWebModule } from '../pec/intake-flow/pec-intake-flow-web.module.js';
import { ProcessModule } from '../process/process.module.js';
import { SolutionsModule } from '../solutions/solutions.module.js';
import { PageContextMiddleware } from '../web/page-context.middleware.js';
import { WebModule } from '../web/web.module.js';
import { CoreModule } from './core.module.js';

/** The web role: pages, the JSON API and health checks. */
@Module({
  imports: [
    CoreModule,
    HealthModule,
    ApiModule,
    WebModule,
    AdministrationModule,
    ProcessModule,
    SolutionsModule,
    MailboxesWebModule,
    PecMessagesWebModule,
    PecIntakeModule,
    BeatsWebModule,
    PecIntakeFlowWebModule,
    BeatsVisibilityWebModule,
    CampaignsWebModule,
    CampaignSendingModule,
  ],
})
export class WebAppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // Health and static files answer on any host; everything else belongs to a tenant.
    consumer.apply(TenantResolverMiddleware, IpAllowlistMiddleware).exclude('health/{*path}', 'static/{*path}').forRoutes('{*path}');
    consumer.apply(PageContextMiddleware).exclude('health/{*path}', 'static/{*path}', 'api/{*path}', 'theme/{*path}').forRoutes('{*path}');
  }
}
