import { createHash } from 'node:crypto';
import { readBounce } from './bounce.js';
import { classifyPec } from './classification.js';
import { parseDaticert, type Daticert } from './daticert.js';
import { normaliseMessageId } from './headers.js';
import { decodedBody, parseMimeEntity, partName, type MimeEntity } from './mime-tree.js';
import { decodeHeaderBlock, summariseOriginal } from './original-message.js';
import type { PecBounce, PecMeaning, PecResult } from './pec-result.js';
import { isListedProviderAddress } from './providers.js';
import { hasRemHeaders, readRem, type RemReading } from './rem.js';
import { openSignedEnvelope } from './smime.js';

/** Top-level headers worth showing as read: the PEC set of RFC 6109 §8.1 and every REM header. */
const MARKER = /^(x-ricevuta|x-trasporto|x-tiporicevuta|x-verificasicurezza|x-riferimento-message-id|x-mittente|x-rem-.*|rem-.*)$/i;
/** Kinds about one recipient: the correlator moves that recipient's state. */
const PER_RECIPIENT = new Set<PecMeaning | undefined>([
  'avvenuta-consegna',
  'errore-consegna',
  'preavviso-errore-consegna',
  'rilevazione-virus',
]);

export interface ParseOptions {
  /**
   * Check the provider's S/MIME signature (default true). Parsing the CMS with pkijs/asn1js costs
   * most of a parse (10–25 ms for a real provider signature): a bulk intake may classify and
   * correlate first and verify later.
   */
  verifySignature?: boolean;
}

/**
 * Reads one message as a PEC (or REM) provider message: what it is, what it refers to, who it is
 * about, whether the provider's signature holds. Pure: bytes in, result out. It never throws; what
 * it cannot read or does not expect is listed in `flags`.
 */
export async function parsePec(raw: Buffer, options: ParseOptions = {}): Promise<PecResult> {
  const flags: string[] = [];
  try {
    return await parse(raw, flags, options.verifySignature ?? true);
  } catch (error) {
    flags.push(`parser-error:${error instanceof Error ? error.message : String(error)}`);
    return emptyResult(flags);
  }
}

/** Nothing could be read as PEC: `not-pec`, with the flags saying why. */
function emptyResult(flags: string[]): PecResult {
  return {
    kind: 'not-pec',
    protocol: 'none',
    receiptType: null,
    error: null,
    errorDetails: null,
    referencesMessageId: null,
    recipient: null,
    providerId: null,
    messageId: null,
    recipients: [],
    receivedFor: [],
    dates: {},
    provider: { listed: false },
    signature: 'absent',
    signatureDetails: { reason: 'not read', chain: 'not-checked' },
    otherParts: [],
    markers: {},
    flags,
  };
}

async function parse(input: Buffer, flags: string[], verifySignature: boolean): Promise<PecResult> {
  let raw = input;
  // A message saved from an mbox file starts with its "From sender date" separator line.
  if (raw.subarray(0, 5).toString('latin1') === 'From ') {
    raw = raw.subarray(raw.indexOf(0x0a) + 1 || raw.length);
    flags.push('mbox-from-line-skipped');
  }
  if (!/^[!-9;-~]+:/.test(raw.subarray(0, 1000).toString('latin1'))) {
    flags.push('not-a-mime-message');
    return emptyResult(flags);
  }
  const top = parseMimeEntity(raw, flags);
  const headers = top.headers;
  const envelope = await openSignedEnvelope(top, flags, verifySignature);
  const sections = envelope.content.contentType.startsWith('multipart/') ? envelope.content.children : [envelope.content];

  const daticertParts = sections.filter(isDaticert);
  if (daticertParts.length > 1) flags.push(`daticert-repeated:${daticertParts.length}`);
  const daticert = daticertParts[0] ? parseDaticert(decodedBody(daticertParts[0]), flags) : undefined;

  const isPec = headers.get('x-ricevuta') !== undefined || headers.get('x-trasporto') !== undefined || daticert !== undefined;
  const rem = hasRemHeaders(headers) ? readRem(headers, sections, flags) : undefined;
  const pec = isPec || !rem ? classifyPec(headers, daticert, flags) : undefined;
  const kind = pec?.kind ?? 'rem';
  const protocol = pec && kind !== 'not-pec' ? 'pec' : rem ? 'rem' : 'none';
  const classified = pec?.kind === 'not-pec' ? undefined : pec;
  // What the message means in PEC terms: its kind, or the PEC kind its REM event maps to.
  const meaning = classified?.kind ?? rem?.rem.pecKind ?? undefined;

  const decoded = await decodeHeaderBlock(top.raw.subarray(0, top.raw.length - top.body.length));
  const fromAddress = decoded.from?.value[0]?.address?.toLowerCase();
  const { status: signature, ...signatureDetails } = envelope.signature;
  if (signatureDetails.signer && fromAddress) {
    signatureDetails.signerMatchesFrom = signatureDetails.signer.emailAddresses.some((e) => e.toLowerCase() === fromAddress);
  }
  if (protocol !== 'none' && (signature === 'invalid' || signature === 'absent')) flags.push(`signature-${signature}`);
  const micalg = signatureDetails.micalg?.replace('-', '');
  if (micalg && signatureDetails.digestAlgorithm && micalg !== signatureDetails.digestAlgorithm) {
    flags.push(`micalg-mismatch:header=${signatureDetails.micalg},signature=${signatureDetails.digestAlgorithm}`);
  }

  const originalPart = findOriginal(sections, meaning);
  const original = originalPart
    ? await summariseOriginal(decodedBody(originalPart), partName(originalPart) ?? originalPart.contentType)
    : undefined;
  if (meaning === 'posta-certificata' && !original) flags.push('transport-without-original');
  const bounce = meaning === 'anomalia' && originalPart ? readBounce(decodedBody(originalPart)) : undefined;

  const headerReference = normaliseMessageId(headers.get('x-riferimento-message-id'));
  const referenceMessageId = headerReference ?? rem?.rem.uaMessageIdentifier;
  const daticertMsgid = daticert?.msgid;
  if (referenceMessageId && daticertMsgid && referenceMessageId !== daticertMsgid) {
    flags.push(`reference-mismatch:header=${referenceMessageId},daticert=${daticertMsgid}`);
  }
  if (original?.referenceMessageId && referenceMessageId && original.referenceMessageId !== referenceMessageId) {
    flags.push(`reference-mismatch:header=${referenceMessageId},original=${original.referenceMessageId}`);
  }
  const deliveryRecipient = daticert?.consegna ?? rem?.recipient;
  const messageId = normaliseMessageId(headers.get('message-id'));
  // A PEC busta's own Message-ID is the identificativo (pec-protocol.md §4): the id when its daticert was stripped.
  const bustaId = protocol === 'pec' && meaning === 'posta-certificata' ? messageId : undefined;

  const known = new Set<MimeEntity>([...daticertParts, ...(originalPart ? [originalPart] : [])]);
  const otherParts = sections.filter((s) => !known.has(s) && !isExpected(s));
  for (const part of otherParts) flags.push(`unexpected-part:${part.contentType}${partName(part) ? `;${partName(part)}` : ''}`);

  return {
    kind,
    protocol,
    receiptType: classified?.receiptType ?? null,
    error: classified?.error ?? rem?.error ?? null,
    errorDetails: classified?.errorDetails ?? rem?.errorDetails ?? null,
    // A bounced anomalia is tied back through the busta the non-PEC recipient returned.
    referencesMessageId: (bounce ? bounce.returnedReference : (headerReference ?? daticertMsgid ?? rem?.rem.uaMessageIdentifier)) ?? null,
    recipient: (bounce ? onlyRecipient(bounce) : PER_RECIPIENT.has(meaning) ? deliveryRecipient : undefined) ?? null,
    providerId: (bounce ? bounce.returnedMessageId : (daticert?.identificativo ?? bustaId ?? rem?.rem.evidence?.messageIdentifier)) ?? null,
    messageId: messageId ?? null,
    ...(classified?.unrecognisedType ? { unrecognisedType: classified.unrecognisedType } : {}),
    sender: senderOf(daticert, rem, decoded.from?.value[0]?.name, decoded.replyTo),
    recipients: recipientsOf(daticert, flags),
    receivedFor: daticert?.ricezione ?? [],
    subject: decoded.subject,
    originalSubject: daticert?.oggetto ?? original?.subject,
    dates: { header: decoded.date, certified: daticert?.data ?? rem?.rem.evidence?.eventTime },
    provider: { name: daticert?.gestoreEmittente, address: fromAddress, listed: isListedProviderAddress(fromAddress) },
    ...(original ? { original } : {}),
    ...(bounce ? { bounce } : {}),
    signature,
    signatureDetails,
    ...(rem ? { rem: rem.rem } : {}),
    otherParts: otherParts.map(summary),
    markers: Object.fromEntries(headers.fields.filter((f) => MARKER.test(f.name)).map((f) => [f.name, f.value])),
    flags,
  };
}

/** The one recipient a bounce is about; none when it reports several. */
function onlyRecipient(bounce: PecBounce): string | undefined {
  return bounce.recipients.length === 1 ? bounce.recipients[0]!.finalRecipient : undefined;
}

export function isDaticert(part: MimeEntity): boolean {
  return /^daticert\.xml$/i.test(partName(part) ?? '');
}

/** postacert.eml (PEC), the REM original section, or for an anomaly the message it wraps. */
export function findOriginal(sections: MimeEntity[], meaning: PecMeaning | undefined): MimeEntity | undefined {
  const messages = sections.filter((s) => s.contentType === 'message/rfc822');
  return (
    messages.find((s) => /^postacert\.eml$/i.test(partName(s) ?? '')) ??
    sections.find((s) => /rem_message\/original/i.test(s.headers.get('rem-section-type') ?? '')) ??
    (meaning === 'anomalia' ? messages[0] : undefined)
  );
}

/** The human-readable body and the REM evidence are expected beside daticert and postacert. */
function isExpected(part: MimeEntity): boolean {
  return (
    ['text/plain', 'text/html', 'multipart/alternative', 'multipart/related'].includes(part.contentType) ||
    /xml_evidence|introduction/i.test(part.headers.get('rem-section-type') ?? '')
  );
}

function summary(part: MimeEntity) {
  const content = decodedBody(part);
  return {
    filename: partName(part),
    contentType: part.contentType,
    size: content.length,
    sha256: createHash('sha256').update(content).digest('hex'),
  };
}

/** daticert `mittente`; else REM-MD08; else the "Per conto di: …" / "On behalf of: …" display name; else Reply-To. */
function senderOf(daticert: Daticert | undefined, rem: RemReading | undefined, fromName?: string, replyTo?: string): string | undefined {
  if (daticert?.mittente) return daticert.mittente;
  const md08 = rem?.rem.originalSender;
  if (md08) return /<([^>]+)>/.exec(md08)?.[1] ?? md08;
  const onBehalf = /^(?:per conto di|on behalf of):\s*(\S+@\S+)$/i.exec(fromName?.trim() ?? '')?.[1];
  return onBehalf ?? replyTo;
}

function recipientsOf(daticert: Daticert | undefined, flags: string[]): PecResult['recipients'] {
  return (daticert?.destinatari ?? []).map(({ address, tipo }) => {
    const type = tipo?.toLowerCase();
    if (type === 'certificato' || type === 'esterno') return { address, type };
    if (type !== undefined) flags.push(`unknown-destinatari-tipo:${type}`);
    // The DTD default for a missing attribute.
    return type === undefined ? { address, type: 'certificato' as const } : { address };
  });
}
