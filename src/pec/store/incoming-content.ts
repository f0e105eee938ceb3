import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { decodedBody, parseMimeEntity, partName, type MimeEntity } from '../mime-tree.js';
import { findOriginal, isDaticert } from '../pec-parser.js';
import type { PecKind } from '../pec-result.js';
import { openSignedEnvelope } from '../smime.js';

/** A file of a stored message people can download; `key` names it in the download URL. */
export interface StoredAttachment {
  key: string;
  name: string;
  contentType: string;
  size: number;
  /** Where its bytes are: an attachment of the original message, a part of the PEC envelope, or the whole source. */
  part: 'original' | 'envelope' | 'source';
  /** An inline part's Content-ID (lowercased, no brackets): the HTML body shows it where it says `cid:`. */
  contentId?: string;
}

/** The message a person wrote, as received, and the PEC envelope's own files beside it. */
export interface MessageContent {
  /** The original message decoded (postacert.eml of a busta; the whole message when there is no envelope). */
  mail: ParsedMail;
  files: StoredAttachment[];
}

export const SOURCE_KEY = 'message.eml';

/**
 * Reads what people see of a message from its RFC 822 source. Everything is derived again from the
 * sealed source on demand (attachments are not stored twice): the same bytes always give the same
 * files in the same order, so a key stays valid. `kind` is the parser's: only a PEC or REM message
 * has an envelope to look into; ordinary mail is its own original.
 */
export async function readContent(raw: Buffer, kind: PecKind): Promise<MessageContent & { envelope: Envelope }> {
  const envelope = await envelopeOf(raw, kind);
  const mail = await decode(envelope.original?.bytes ?? raw);
  const files: StoredAttachment[] = mail.attachments.map((attachment, index) => ({
    key: String(index),
    name: attachment.filename ?? `allegato-${index + 1}`,
    contentType: attachment.contentType,
    size: attachment.content.length,
    part: 'original',
    ...(attachment.cid ? { contentId: attachment.cid.toLowerCase() } : {}),
  }));
  if (envelope.daticert)
    files.push({
      key: 'daticert.xml',
      name: 'daticert.xml',
      contentType: 'application/xml',
      size: envelope.daticert.length,
      part: 'envelope',
    });
  if (envelope.original)
    files.push({
      key: 'postacert.eml',
      name: envelope.original.name,
      contentType: 'message/rfc822',
      size: envelope.original.bytes.length,
      part: 'envelope',
    });
  files.push({ key: SOURCE_KEY, name: SOURCE_KEY, contentType: 'message/rfc822', size: raw.length, part: 'source' });
  return { mail, files, envelope };
}

/** One file's bytes, by the key `readContent` gave it; undefined when there is no such file. */
export async function fileContent(
  raw: Buffer,
  kind: PecKind,
  key: string,
): Promise<{ file: StoredAttachment; content: Buffer } | undefined> {
  const { mail, files, envelope } = await readContent(raw, kind);
  const file = files.find((candidate) => candidate.key === key);
  if (!file) return undefined;
  if (file.part === 'source') return { file, content: raw };
  if (key === 'daticert.xml') return { file, content: envelope.daticert! };
  if (key === 'postacert.eml') return { file, content: envelope.original!.bytes };
  return { file, content: mail.attachments[Number(key)]!.content };
}

/**
 * The files of a message we compose, listed when it is stored (its page is polled while receipts
 * arrive: the source is not parsed again each time). The order is the source's, so the keys are those
 * readContent gives.
 */
export function composedFiles(
  attachments: { filename: string; contentType?: string; content: Buffer }[],
  sourceSize: number,
): StoredAttachment[] {
  return [
    ...attachments.map((a, index) => ({
      key: String(index),
      name: a.filename,
      contentType: a.contentType ?? 'application/octet-stream',
      size: a.content.length,
      part: 'original' as const,
    })),
    { key: SOURCE_KEY, name: SOURCE_KEY, contentType: 'message/rfc822', size: sourceSize, part: 'source' },
  ];
}

export function firstAddress(value: AddressObject | AddressObject[] | undefined): string | undefined {
  return addressesOf(value)[0];
}

export function addressesOf(value: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.flatMap((o) => o.value.map((a) => a.address?.toLowerCase() ?? '').filter(Boolean));
}

interface Envelope {
  daticert?: Buffer;
  original?: { name: string; bytes: Buffer };
}

/** The signed envelope is opened without checking the signature again: the parser did, at intake. */
async function envelopeOf(raw: Buffer, kind: PecKind): Promise<Envelope> {
  if (kind === 'not-pec') return {};
  const flags: string[] = [];
  const { content } = await openSignedEnvelope(parseMimeEntity(raw, flags), flags, false);
  const sections: MimeEntity[] = content.contentType.startsWith('multipart/') ? content.children : [content];
  const daticert = sections.find(isDaticert);
  const original = findOriginal(sections, kind === 'rem' ? undefined : kind);
  return {
    ...(daticert ? { daticert: decodedBody(daticert) } : {}),
    ...(original ? { original: { name: partName(original) ?? 'postacert.eml', bytes: decodedBody(original) } } : {}),
  };
}

function decode(raw: Buffer): Promise<ParsedMail> {
  return simpleParser(raw, { skipHtmlToText: false, skipTextToHtml: true, skipImageLinks: true });
}
