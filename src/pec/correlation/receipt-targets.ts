import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PecResult } from '../pec-result.js';
import type { RecipientStatus } from './recipient-states.js';

/** A receipt about a message some other module sent, as the correlator read it. */
export interface ForwardedReceipt {
  kind: PecResult['kind'];
  /** Our Message-ID the receipt cites. */
  messageId: string;
  /** Where the receipt moves its recipients (the correlator's rules, decision 0016). */
  target: RecipientStatus;
  /** The recipient a per-recipient receipt names (`<consegna>`); null when it is about every recipient. */
  recipient: string | null;
  providerId: string | null;
  at: Date | undefined;
  /** The provider's error (daticert `errore`) and its extended text, on a failure. */
  error: string | null;
  errorText: string | null;
}

/**
 * Sent messages that do not live in `pec_messages` (a campaign's recipients) are told their receipts
 * here: a module registers which Message-IDs it owns, and the correlator hands it their receipts inside
 * its own transaction (the receipt row and the state change commit together). Registration keeps the
 * PEC module free of any dependency on its users, as InboundMessageHandlers does for the intake.
 */
export interface ReceiptTarget {
  /** A name for the correlation's outcome and logs. */
  name: string;
  owns(messageId: string): boolean;
  /** Applies the receipt; false when no message of the target has that Message-ID. */
  apply(manager: EntityManager, receipt: ForwardedReceipt): Promise<boolean>;
}

@Injectable()
export class ReceiptTargets {
  private readonly targets: ReceiptTarget[] = [];

  register(target: ReceiptTarget): void {
    this.targets.push(target);
  }

  owner(messageId: string | null): ReceiptTarget | undefined {
    return messageId === null ? undefined : this.targets.find((target) => target.owns(messageId));
  }
}
