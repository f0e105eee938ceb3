import { Module } from '@nestjs/common';
import { AuditWebModule } from '../audit/audit-web.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { ConfigModule } from '../config/config.module.js';
import { DbModule } from '../db/db.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { MailModule } from '../mail/mail.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { SecretsModule } from '../secrets/secrets.module.js';
import { TenancyModule } from '../tenancy/tenancy.module.js';

/** What both roles need: configuration, database, queues, tenants, identity, mail, the activity log. */
@Module({
  imports: [ConfigModule, SecretsModule, DbModule, QueueModule, MailModule, TenancyModule, IdentityModule, AuditModule, AuditWebModule],
  exports: [ConfigModule, SecretsModule, DbModule, QueueModule, MailModule, TenancyModule, IdentityModule, AuditModule],
})
export class CoreModule {}
