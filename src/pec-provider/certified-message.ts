import type { ReceiptKind } from './daticert-writer.js';

/**
 * What the provider keeps about an accepted message for the receipts that follow it: stored in
 * Redis with the busta (see delivery-queue.ts), so a restarted provider can finish the work.
 */
export interface CertifiedMessage {
  /** The PEC identificativo: the busta's Message-ID and daticert <identificativo> in every receipt. */
  pecId: string;
  /** The sender's own Message-ID (X-Riferimento-Message-ID, daticert <msgid>). */
  msgid: string;
  sender: string;
  /** Every To and Cc, in order: daticert <destinatari>. */
  recipients: string[];
  /** Those on ordinary mail domains: daticert `tipo="esterno"`, no delivery receipt ever. */
  external?: string[];
  /**
   * The message carries a virus that the punto di accesso missed (fault `miss-virus`): the
   * recipient's gestore finds it. Absent in what older versions stored.
   */
  virus?: boolean;
  replyTo: string;
  subject: string;
  subjectRaw: string;
  receiptKind: ReceiptKind;
  /** ISO time of acceptance. */
  acceptedAt: string;
}
