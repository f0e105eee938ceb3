import addressparser from 'nodemailer/lib/addressparser';
import { HeaderList, normaliseMessageId } from '../pec/headers.js';
import { decodedBody, parseMimeEntity, type MimeEntity } from '../pec/mime-tree.js';
import type { ReceiptKind } from './daticert-writer.js';

/** What the punto di accesso reads from a submitted message (RFC 6109 §3.1.1 checks and the busta's data). */
export interface SubmittedMessage {
  raw: Buffer;
  headers: HeaderList;
  /** The header block as received, for rewriting into postacert.eml. */
  headerBlock: string;
  body: Buffer;
  from: string[];
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo?: string;
  /** Raw Subject value (may hold RFC 2047 encoded words: copied as is after the provider's prefix). */
  subjectRaw: string;
  /** Decoded subject, for daticert <oggetto>. */
  subject: string;
  messageId?: string;
  receiptKind: ReceiptKind;
  mime: MimeEntity;
}

const RECEIPT_KINDS = new Set<ReceiptKind>(['completa', 'breve', 'sintetica']);

export function readSubmission(raw: Buffer): SubmittedMessage {
  const text = raw.toString('latin1');
  const separator = /\r?\n\r?\n/.exec(text);
  const headerBlock = separator ? text.slice(0, separator.index) : text;
  const body = separator ? raw.subarray(separator.index + separator[0].length) : Buffer.alloc(0);
  const { headers } = HeaderList.parse(headerBlock);
  const addresses = (name: string) =>
    headers
      .all(name)
      .flatMap((value) => addressparser(value, { flatten: true }))
      .map((a) => a.address.trim().toLowerCase())
      .filter((a) => a !== '');
  const requested = headers.get('x-tiporicevuta')?.trim().toLowerCase();
  const subjectRaw = headers.get('subject') ?? '';
  return {
    raw,
    headers,
    headerBlock,
    body,
    from: addresses('from'),
    to: addresses('to'),
    cc: addresses('cc'),
    bcc: addresses('bcc'),
    replyTo: addresses('reply-to')[0],
    subjectRaw,
    subject: decodeWords(subjectRaw),
    messageId: normaliseMessageId(headers.get('message-id')),
    receiptKind: requested && RECEIPT_KINDS.has(requested as ReceiptKind) ? (requested as ReceiptKind) : 'completa',
    mime: parseMimeEntity(raw, []),
  };
}

/** The EICAR test signature, split so that no scanner flags this source file itself. */
const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$' + 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

/** True when a part (decoded) carries the EICAR test signature: the provider's stand-in for a virus scanner. */
export function carriesTestVirus(entity: MimeEntity): boolean {
  if (entity.children.length > 0) return entity.children.some(carriesTestVirus);
  return decodedBody(entity).includes(EICAR, 0, 'latin1');
}

/** RFC 2047 encoded words (B and Q, UTF-8 or Latin-1) decoded; anything else kept as written. */
export function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[bBqQ]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (word, charset: string, encoding: string, text: string) => {
      const bytes =
        encoding.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64')
          : Buffer.from(
              text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
              'latin1',
            );
      const cs = charset.toLowerCase().split('*')[0];
      if (cs === 'utf-8' || cs === 'utf8') return bytes.toString('utf8');
      if (cs === 'iso-8859-1' || cs === 'latin1' || cs === 'us-ascii') return bytes.toString('latin1');
      return word;
    });
}
