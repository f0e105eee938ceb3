import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { PecExportApiController } from './export/pec-export.api.controller.js';
import { MessageDrafts } from './message-drafts.js';
import { PecMessagePagesController } from './pec-message-pages.controller.js';
import { PecMessagesApiController } from './pec-messages.api.controller.js';
import { PecMessagesModule } from './pec-messages.module.js';
import { PecInboxPagesController } from './search/inbox-pages.controller.js';

/** The PEC messages' API and pages. */
@Module({
  imports: [PecMessagesModule, AccessModule, IdentityModule],
  providers: [MessageDrafts],
  // Export and inbox first: their fixed paths must win over the `:id` routes of the others.
  controllers: [PecExportApiController, PecMessagesApiController, PecInboxPagesController, PecMessagePagesController],
})
export class PecMessagesWebModule {}
