import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { HeaderList, normaliseMessageId } from './headers.js';
import type { PecOriginal } from './pec-result.js';

/**
 * Summary of the original message a busta carries (postacert.eml): decoded with mailparser, since
 * these bytes are shown, not verified. Attachment contents stay out of the result: name, type,
 * size and sha256 are enough to match them against what was sent.
 */
export async function summariseOriginal(raw: Buffer, part: string): Promise<PecOriginal> {
  const mail = await decode(raw);
  const headerEnd = /\r?\n\r?\n/.exec(raw.toString('latin1'));
  const { headers } = HeaderList.parse(raw.toString('latin1', 0, headerEnd?.index ?? raw.length));
  return {
    part,
    messageId: normaliseMessageId(headers.get('message-id')),
    referenceMessageId: normaliseMessageId(headers.get('x-riferimento-message-id')),
    subject: mail.subject,
    from: mail.from?.text,
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    date: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.toISOString() : undefined,
    inReplyTo: normaliseMessageId(headers.get('in-reply-to')),
    references: (headers.get('references') ?? '')
      .split(/\s+/)
      .map(normaliseMessageId)
      .filter((id): id is string => id !== undefined),
    headers: headers.fields,
    text: mail.text?.trim() || undefined,
    attachments: mail.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      size: a.content.length,
      sha256: createHash('sha256').update(a.content).digest('hex'),
    })),
  };
}

/** Subject, From, To and Date of a header block, RFC 2047-decoded (no body is read). */
export async function decodeHeaderBlock(
  headerBlock: Buffer,
): Promise<{ subject?: string; from?: AddressObject; to: string[]; replyTo?: string; date?: string }> {
  const mail = await decode(Buffer.concat([headerBlock, Buffer.from('\r\n\r\n')]));
  return {
    subject: mail.subject,
    from: mail.from,
    to: addresses(mail.to),
    replyTo: mail.replyTo?.value[0]?.address,
    date: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.toISOString() : undefined,
  };
}

function decode(raw: Buffer): Promise<ParsedMail> {
  return simpleParser(raw, { skipHtmlToText: false, skipTextToHtml: true, skipImageLinks: true });
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.flatMap((o) => o.value.map((a) => a.address ?? '').filter(Boolean));
}
