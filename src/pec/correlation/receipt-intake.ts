import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InboundMessageHandlers } from '../intake/inbound-handlers.js';
import { ReceiptCorrelator } from './receipt-correlator.js';

/**
 * Every message the IMAP intake records goes through the correlator: receipts move the states of what
 * we sent (the correlator ignores what is not a receipt). Idempotent like the correlator itself,
 * which keys a receipt on its own Message-ID, so a crash before the intake marks the row processed
 * (and the job runs again) changes nothing twice.
 */
@Injectable()
export class ReceiptIntake implements OnModuleInit {
  constructor(
    private readonly handlers: InboundMessageHandlers,
    private readonly correlator: ReceiptCorrelator,
  ) {}

  onModuleInit(): void {
    this.handlers.register('receipt-correlator', async (items) => {
      // A mailbox removed since: its mail stays stored, but there is nothing of ours left to correlate.
      const receipts = items.flatMap(({ message, parsed, raw }) =>
        message.mailboxId === null ? [] : [{ parsed, raw, mailboxId: message.mailboxId, inboundMessageId: message.id }],
      );
      await this.correlator.applyAll(receipts);
    });
  }
}
