import { Module } from '@nestjs/common';
import { MailboxBreaker } from './mailbox-breaker.js';
import { MailboxPace } from './mailbox-pace.js';

/** Per-mailbox pace and circuit breaker in Redis (decision 0025): used by the sender, shown on the mailboxes' pages. */
@Module({ providers: [MailboxPace, MailboxBreaker], exports: [MailboxPace, MailboxBreaker] })
export class PacingModule {}
