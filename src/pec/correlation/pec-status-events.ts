import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';
import type { RecipientStatus } from './recipient-states.js';

/** A recipient's state changed: what processes, campaigns and dashboards subscribe to. */
export interface PecStatusChanged {
  tenantId: string;
  /** Our message row's id. */
  messageId: string;
  mailboxId: string;
  address: string;
  from: RecipientStatus;
  to: RecipientStatus;
  /** What caused it: an event kind of the timeline (`accettazione`, `throttled`, …). */
  kind: string;
  /** The timeline line's `seq`: a subscriber that must miss nothing resumes from its last one. */
  seq: string;
}

/**
 * The in-process bus of status changes, emitted after the change is committed. It is not the durable
 * record: the timeline (`pec_recipient_events`, ordered by `seq`) is, so a subscriber that must not
 * miss a change (a process waiting for delivery) reads the timeline from its last `seq` at start and
 * then follows this bus (docs/decisions/0016-pec-sending-and-receipts.md).
 */
@Injectable()
export class PecStatusEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  subscribe(listener: (event: PecStatusChanged) => void): () => void {
    this.emitter.on('changed', listener);
    return () => this.emitter.off('changed', listener);
  }

  publish(events: readonly PecStatusChanged[]): void {
    for (const event of events) this.emitter.emit('changed', event);
  }
}
