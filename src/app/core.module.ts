import { Module } from '@nestjs/common';
import { AuditWebModule } from '../audit/audit-web.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { BeatsModule } from '../beats/beats.module.js';
import { ConfigModule } from '../config/config.module.js';
import { DbModule } from '../db/db.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { MailModule } from '../mail/mail.module.js';
import { PecRoutingModule } from '../pec/intake-flow/pec-routing.module.js';
import { CampaignPlugsModule } from '../campaigns/lifecycle/campaign-plugs.module.js';
import { PlugsModule } from '../plugs/plugs.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { SecretsModule } from '../secrets/secrets.module.js';
import { TenancyModule } from '../tenancy/tenancy.module.js';

/** What both roles need: configuration, database, queues, tenants, identity, mail, the activity log, plugs (and PEC routing, a plug). */
@Module({
  imports: [
    ConfigModule,
    SecretsModule,
    DbModule,
    QueueModule,
    MailModule,
    TenancyModule,
    IdentityModule,
    AuditModule,
    AuditWebModule,
    BeatsModule,
    PlugsModule,
    PecRoutingModule,
    CampaignPlugsModule,
  ],
  exports: [ConfigModule, SecretsModule, DbModule, QueueModule, MailModule, TenancyModule, IdentityModule, AuditModule],
})
export class CoreModule {}
