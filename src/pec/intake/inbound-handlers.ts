import { Injectable, Logger } from '@nestjs/common';
import type { PecResult } from '../pec-result.js';
import type { InboundMessage } from './inbound-message.entity.js';

/** A received message as the handlers get it: its row, what the parser found and its opened source. */
export interface InboundItem {
  message: InboundMessage;
  parsed: PecResult;
  raw: Buffer;
}

/**
 * Work another module does with received messages once they are parsed (the receipt correlator,
 * the intake process), a batch at a time: the intake hands over what one IMAP FETCH brought, so a
 * handler can write it with one statement rather than one per message (docs/decisions/0032). Runs
 * inside the messages' tenant scope. A handler must be idempotent: a crash after it ran but before
 * the rows are marked processed runs it again.
 */
export type InboundMessageHandler = (items: readonly InboundItem[]) => Promise<void>;

/** The registry modules plug their handlers into (in their constructor or onModuleInit), by name. */
@Injectable()
export class InboundMessageHandlers {
  private readonly logger = new Logger(InboundMessageHandlers.name);
  private readonly handlers = new Map<string, InboundMessageHandler>();

  register(name: string, handler: InboundMessageHandler): void {
    if (this.handlers.has(name)) throw new Error(`two inbound message handlers named ${name}`);
    this.handlers.set(name, handler);
  }

  /** In registration order; the first failure stops the round, so the job retries the batch. */
  async run(items: readonly InboundItem[]): Promise<void> {
    for (const [name, handler] of this.handlers) {
      try {
        await handler(items);
      } catch (error) {
        this.logger.warn(`inbound handler ${name} failed on ${items.map((item) => item.message.id).join(', ')}: ${String(error)}`);
        throw error;
      }
    }
  }
}
