import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { MailboxPagesController } from './mailbox-pages.controller.js';
import { MailboxesApiController } from './mailboxes.api.controller.js';
import { MailboxesModule } from './mailboxes.module.js';

/** The mailboxes' API and pages. */
@Module({ imports: [MailboxesModule, AccessModule, IdentityModule], controllers: [MailboxesApiController, MailboxPagesController] })
export class MailboxesWebModule {}
