import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { registerResource } from '../access/visibility.js';
import { AuditModule } from '../audit/audit.module.js';
import { inMailboxOffices } from '../mailboxes/mailbox-reach.js';
import { MailboxesModule } from '../mailboxes/mailboxes.module.js';
import { PecMessagesModule } from '../pec/pec-messages.module.js';
import { CampaignDrafts } from './campaign-drafts.js';
import { CampaignFiles } from './campaign-files.js';
import { CampaignViews } from './campaign-views.js';
import { CampaignFileRepository, CampaignRecipientRepository, CampaignRepository } from './campaign.repository.js';
import { RecipientImport } from './recipient-import.js';

// A campaign belongs to its mailbox's offices (models/platform/solution.yaml `campaign`); its author owns it.
registerResource('campaign', {
  owner: (alias) => `${alias}.created_by`,
  inOffices: inMailboxOffices,
});

/** Mass-send PEC campaigns: drafts, the recipients import (a worker job), previews and test sends. No controllers. */
@Module({
  imports: [AccessModule, AuditModule, MailboxesModule, PecMessagesModule],
  providers: [
    CampaignRepository,
    CampaignRecipientRepository,
    CampaignFileRepository,
    CampaignFiles,
    CampaignViews,
    CampaignDrafts,
    RecipientImport,
  ],
  exports: [CampaignViews, CampaignDrafts, RecipientImport, CampaignFiles, CampaignRepository, CampaignRecipientRepository],
})
export class CampaignsModule {}
