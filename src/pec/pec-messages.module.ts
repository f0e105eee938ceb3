import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { registerResource } from '../access/visibility.js';
import { AuditModule } from '../audit/audit.module.js';
import { inMailboxOffices } from '../mailboxes/mailbox-reach.js';
import { MailboxesModule } from '../mailboxes/mailboxes.module.js';
import { PacingModule } from '../pacing/pacing.module.js';
import { PecIntakeModule } from './intake/pec-intake.module.js';
import { PecStatusEvents } from './correlation/pec-status-events.js';
import { ReceiptCorrelator } from './correlation/receipt-correlator.js';
import { ReceiptTargets } from './correlation/receipt-targets.js';
import { ReceiptIntake } from './correlation/receipt-intake.js';
import { PecExport } from './export/pec-export.js';
import { ReceiptSources } from './export/receipt-sources.js';
import { PecMessages } from './pec-messages.js';
import { PecInbox } from './search/pec-inbox.js';
import { MailboxTransports } from './sending/mailbox-transports.js';
import { PecSender } from './sending/pec-sender.js';
import { SendHoldSweep } from './sending/send-hold-sweep.js';
import {
  PecMessageRepository,
  PecReceiptRepository,
  PecRecipientEventRepository,
  PecRecipientRepository,
} from './store/pec-message.repository.js';
import { IncomingStore } from './store/incoming-store.js';
import { MessageContent } from './store/message-content.js';
import { RecipientTimeline } from './store/recipient-timeline.js';

// A PEC message belongs to its mailbox's offices (models/platform/solution.yaml); its author owns it.
registerResource('pec-message', {
  owner: (alias) => `${alias}.created_by`,
  inOffices: inMailboxOffices,
});

/** PEC messages we send and receive: store (incoming ones from the IMAP intake), sender (worker), receipt correlator, status events. No controllers. */
@Module({
  imports: [AccessModule, AuditModule, MailboxesModule, PacingModule, PecIntakeModule],
  providers: [
    PecMessageRepository,
    PecRecipientRepository,
    PecRecipientEventRepository,
    PecReceiptRepository,
    RecipientTimeline,
    PecStatusEvents,
    ReceiptCorrelator,
    ReceiptTargets,
    ReceiptIntake,
    MailboxTransports,
    PecSender,
    SendHoldSweep,
    MessageContent,
    IncomingStore,
    PecMessages,
    PecInbox,
    PecExport,
    ReceiptSources,
  ],
  exports: [
    PecMessages,
    MessageContent,
    PecInbox,
    PecExport,
    ReceiptSources,
    ReceiptCorrelator,
    ReceiptTargets,
    PecStatusEvents,
    PecSender,
    SendHoldSweep,
    IncomingStore,
    MailboxTransports,
  ],
})
export class PecMessagesModule {}
