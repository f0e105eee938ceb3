import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { registerResource } from '../access/visibility.js';
import { AuditModule } from '../audit/audit.module.js';
import { PacingModule } from '../pacing/pacing.module.js';
import { MailboxAdministration } from './mailbox-administration.js';
import { MailboxProbe } from './mailbox-probe.js';
import { MailboxOfficeRepository, MailboxRepository } from './mailbox.repository.js';

// A mailbox has no owner; it belongs to the offices it is assigned to (models/platform/solution.yaml).
registerResource('mailbox', {
  owner: () => 'NULL',
  inOffices: (alias) =>
    `EXISTS (SELECT 1 FROM mailbox_offices reach_mo WHERE reach_mo.tenant_id = ${alias}.tenant_id AND reach_mo.mailbox_id = ${alias}.id AND reach_mo.office_id = ANY(:reachOffices))`,
});

/** PEC mailboxes: settings, sealed credentials, office assignment, probe. No controllers, so the seed command can use it. */
@Module({
  imports: [AccessModule, AuditModule, PacingModule],
  providers: [MailboxRepository, MailboxOfficeRepository, MailboxProbe, MailboxAdministration],
  exports: [MailboxAdministration, MailboxRepository],
})
export class MailboxesModule {}
