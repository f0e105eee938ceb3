import { Module } from '@nestjs/common';
import { CoreModule } from '../app/core.module.js';
import { LocalMailModule } from '../local-mail/local-mail.module.js';
import { MailboxSeed } from '../mailboxes/mailbox-seed.js';
import { MailboxesModule } from '../mailboxes/mailboxes.module.js';
import { UserProvisioner } from './user-provisioner.js';

@Module({ imports: [CoreModule, LocalMailModule, MailboxesModule], providers: [UserProvisioner, MailboxSeed] })
export class CliModule {}
