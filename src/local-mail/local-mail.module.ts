import { Module } from '@nestjs/common';
import { LocalMailRelay } from './local-mail-relay.js';
import { LocalMailboxes } from './local-mailboxes.js';

/**
 * Mailboxes of pecflow's own Dovecot and the SMTP relay that delivers into them. Needs the global
 * ConfigModule. The relay does not listen by itself: the process role that serves mail calls listen().
 */
@Module({
  providers: [LocalMailboxes, LocalMailRelay],
  exports: [LocalMailboxes, LocalMailRelay],
})
export class LocalMailModule {}
