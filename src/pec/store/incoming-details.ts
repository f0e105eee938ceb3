import type { PecErrorCode, PecSignerCertificate, ReceiptType, SignatureStatus } from '../pec-result.js';
import type { StoredAttachment } from './incoming-content.js';

/**
 * What the store keeps in clear about an incoming message (`pec_messages.parsed`): the certification
 * (daticert), the provider's signature, the original's threading headers and the files' metadata.
 * Never a body or a file's bytes: the body is sealed, the bytes stay in the sealed source.
 */
export interface IncomingDetails {
  /** Null for ordinary mail: nothing certified it. */
  certified: {
    providerId: string | null;
    certifiedAt: string | null;
    sender: string | null;
    recipients: { address: string; type: 'certificato' | 'esterno' | null }[];
    provider: string | null;
    providerAddress: string | null;
    receiptType: ReceiptType | null;
    error: PecErrorCode | null;
  } | null;
  signature: {
    status: SignatureStatus;
    reason: string | null;
    signer: PecSignerCertificate | null;
    signerMatchesFrom: boolean | null;
  };
  /** The original message's own headers: what a reply points at. */
  original: { messageId: string; inReplyTo: string | null; references: string[]; date: string | null };
  attachments: StoredAttachment[];
  flags: string[];
}
