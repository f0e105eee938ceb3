import { writeSearchDocument } from '../search/search-document.js';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SecretBox } from '../../secrets/secret-box.js';
import { RECEIPT_KINDS } from '../classification.js';
import { InboundMessageHandlers } from '../intake/inbound-handlers.js';
import type { InboundMessage } from '../intake/inbound-message.entity.js';
import { normaliseMessageId } from '../headers.js';
import type { PecResult } from '../pec-result.js';
import { addressesOf, firstAddress, readContent } from './incoming-content.js';
import type { IncomingDetails } from './incoming-details.js';
import { PecMessageRepository } from './pec-message.repository.js';

/** The parser's kinds that are receipts: the correlator's, never messages of the store. */
export function isReceipt(parsed: PecResult): boolean {
  const meaning = parsed.kind === 'rem' ? parsed.rem?.pecKind : parsed.kind;
  return (RECEIPT_KINDS as ReadonlySet<string | null | undefined>).has(meaning);
}

/**
 * Incoming messages into the message store (issue #5 item 7): every message the intake records that
 * is not a receipt (a busta di trasporto, an anomalia, ordinary mail, REM, anything unrecognised)
 * becomes a `pec_messages` row with direction `in` and the id of its `pec_inbound_messages` row,
 * so the intake's id is the message's id everywhere (`/pec/messages/{id}`). The row keeps what the
 * original message says (its sender, not the provider's envelope), the certification and signature,
 * the body sealed and the attachments' metadata; their bytes stay in the inbound row's sealed source.
 */
@Injectable()
export class IncomingStore implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly messages: PecMessageRepository,
    private readonly handlers: InboundMessageHandlers,
    private readonly secrets: SecretBox,
  ) {}

  onModuleInit(): void {
    this.handlers.register('message-store', async (items) => {
      for (const { message, parsed, raw } of items) await this.record(message, parsed, raw);
    });
  }

  /**
   * The one insert of an incoming message, in the message's tenant scope. Idempotent: the row's id is
   * the inbound row's, so a replay (a job run again after a crash) inserts nothing. Returns whether it
   * inserted. Receipts are not messages; a mailbox removed since leaves its mail in the intake's
   * record only (there is no mailbox left to show it in). Whatever else must be written per incoming
   * message (the search document) goes into this same transaction.
   */
  async record(inbound: InboundMessage, parsed: PecResult, raw: Buffer): Promise<boolean> {
    const mailboxId = inbound.mailboxId;
    if (mailboxId === null || isReceipt(parsed)) return false;
    const { mail, files } = await readContent(raw, parsed.kind);
    const originalFrom = firstAddress(mail.from) ?? parsed.provider.address ?? '';
    // A busta's From is the provider's "Per conto di": the sender is daticert's mittente, else the original's From.
    const from = parsed.protocol === 'none' ? originalFrom : (parsed.sender?.toLowerCase() ?? originalFrom);
    const to = parsed.recipients.length > 0 ? parsed.recipients.map((r) => r.address.toLowerCase()) : addressesOf(mail.to);
    const messageId = normaliseMessageId(mail.messageId) ?? parsed.messageId ?? `inbound:${inbound.id}`;
    const details: IncomingDetails = {
      certified: parsed.protocol === 'none' ? null : certifiedOf(parsed),
      signature: {
        status: parsed.signature,
        reason: parsed.signatureDetails.reason ?? null,
        signer: parsed.signatureDetails.signer ?? null,
        signerMatchesFrom: parsed.signatureDetails.signerMatchesFrom ?? null,
      },
      original: {
        messageId,
        inReplyTo: normaliseMessageId(mail.inReplyTo) ?? null,
        references: referencesOf(mail.references),
        date: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.toISOString() : null,
      },
      attachments: files,
      flags: parsed.flags,
    };
    const sentAt = parsed.dates.certified ?? details.original.date;
    return this.dataSource.transaction(async (manager) => {
      const inserted = await this.messages.within(manager).insertOnce({
        id: inbound.id,
        mailboxId,
        direction: 'in',
        kind: parsed.kind,
        status: 'received',
        messageId,
        providerId: parsed.providerId,
        subject: parsed.originalSubject ?? mail.subject ?? parsed.subject ?? '',
        fromAddress: from,
        toAddresses: [...new Set(to)],
        ccAddresses: addressesOf(mail.cc),
        receiptType: parsed.receiptType ?? 'completa',
        body: this.secrets.seal(
          JSON.stringify({ text: mail.text?.trim() || null, html: mail.html || null }),
          `pec-message-body:${inbound.id}`,
        ),
        parsed: details as unknown as Record<string, unknown>,
        sentAt: sentAt ? new Date(sentAt) : null,
        createdAt: inbound.receivedAt ?? inbound.recordedAt,
      });
      // Only the first time: a replay inserted nothing and has nothing to index.
      if (inserted) {
        await writeSearchDocument(manager, inbound.id, {
          text: mail.text ?? null,
          html: mail.html || null,
          attachmentNames: files.filter((file) => file.part === 'original').map((file) => file.name),
        });
      }
      return inserted;
    });
  }
}

function certifiedOf(parsed: PecResult): IncomingDetails['certified'] {
  return {
    providerId: parsed.providerId,
    certifiedAt: parsed.dates.certified ?? null,
    sender: parsed.sender ?? null,
    recipients: parsed.recipients.map((r) => ({ address: r.address, type: r.type ?? null })),
    provider: parsed.provider.name ?? null,
    providerAddress: parsed.provider.address ?? null,
    receiptType: parsed.receiptType,
    error: parsed.error,
  };
}

function referencesOf(value: string | string[] | undefined): string[] {
  const list = Array.isArray(value) ? value : value ? value.split(/\s+/) : [];
  return list.map(normaliseMessageId).filter((id): id is string => id !== undefined);
}
