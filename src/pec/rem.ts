import type { HeaderList } from './headers.js';
import { normaliseMessageId } from './headers.js';
import { decodedBody, partName, type MimeEntity } from './mime-tree.js';
import type { PecErrorCode, PecErrorDetails, PecMeaning, RemInfo } from './pec-result.js';
import { elements, parseXml, textOf } from './xml.js';

/**
 * The REM adapter (ETSI EN 319 532, AgID REM Policy-IT): `REM-*` headers and the ERDS evidence
 * mapped onto the PEC kinds (`rem.pecKind`), so the correlator sees one vocabulary (pec-protocol.md
 * §11; the mapping follows ioggstream/erds-pec-study, unofficial).
 */
export interface RemReading {
  rem: RemInfo;
  error?: PecErrorCode;
  errorDetails?: PecErrorDetails;
  recipient?: string;
}

/** Receipt events and the PEC kind they stand for. */
const RECEIPT_KINDS: Record<string, PecMeaning> = {
  submissionacceptance: 'accettazione',
  submissionrejection: 'non-accettazione',
  relayacceptance: 'presa-in-carico',
  contentconsignment: 'avvenuta-consegna',
  contentconsignmentfailure: 'errore-consegna',
  relayfailure: 'errore-consegna',
  relayrejection: 'errore-consegna',
  relaytononerdsfailure: 'errore-consegna',
};

/** Policy-IT reason codes for "nothing heard in time" (RD03 content consignment, RB22 relay). */
const TIMEOUT_CODES = new Set(['RD03', 'RB22']);
/** Policy-IT reason code for malware found on submission. */
const MALWARE_CODES = new Set(['RA03']);

export function hasRemHeaders(headers: HeaderList): boolean {
  return headers.fields.some((f) => /^rem-/i.test(f.name));
}

export function readRem(headers: HeaderList, sections: MimeEntity[], flags: string[]): RemReading {
  const last = (uri: string | undefined) => uri?.split(/[/#]/).pop();
  const rem: RemInfo = {
    pecKind: null,
    messageType: last(headers.get('rem-messagetype'))?.toLowerCase(),
    event: last(headers.get('rem-eventidentifier')),
    reason: last(headers.get('rem-reasonidentifier')),
    evidenceId: normaliseMessageId(headers.get('rem-evidence-id')),
    uaMessageIdentifier: normaliseMessageId(headers.get('rem-uamessageidentifier')),
    originalSender: headers.get('rem-md08'),
    relayDate: headers.get('rem-relaydate'),
    applicablePolicies: headers.all('rem-applicablepolicy'),
    metadataVersion: headers.get('rem-metadataversion'),
  };
  const digestAlgorithm = headers.get('rem-digestalgorithm');
  const digestValue = headers.get('rem-digestvalue');
  if (digestAlgorithm || digestValue) rem.digest = { algorithm: digestAlgorithm, value: digestValue };

  const evidencePart = sections.find((s) => /xml_evidence/i.test(s.headers.get('rem-section-type') ?? ''));
  if (evidencePart) rem.evidence = readEvidence(evidencePart, flags);
  else flags.push('rem-evidence-missing');
  const evidence = rem.evidence;
  if (evidence?.eventId && rem.event && last(evidence.eventId) !== rem.event) {
    flags.push(`rem-event-mismatch:header=${rem.event},evidence=${last(evidence.eventId)}`);
  }
  rem.event ??= last(evidence?.eventId);
  rem.reasonCode = evidence?.reasons.flatMap((r) => r.details).find((d) => /^R[A-Z]\d{2}$/.test(d));

  const event = rem.event?.toLowerCase() ?? '';
  const kind = rem.messageType === 'dispatch' ? (event === 'receivedfromnonerds' ? 'anomalia' : 'posta-certificata') : RECEIPT_KINDS[event];
  rem.pecKind = kind ?? null;
  if (!kind) flags.push(`rem-event-without-pec-equivalent:${rem.event ?? rem.messageType ?? 'none'}`);

  let error: PecErrorCode | undefined;
  let errorDetails: PecErrorDetails | undefined;
  if (kind === 'non-accettazione' || kind === 'errore-consegna') {
    const text = evidence?.reasons.flatMap((r) => r.details).find((d) => d !== rem.reasonCode);
    error = rem.reasonCode && MALWARE_CODES.has(rem.reasonCode) ? 'virus' : 'altro';
    errorDetails = { extended: text ?? rem.reason, status: rem.reasonCode };
    if (rem.reasonCode && TIMEOUT_CODES.has(rem.reasonCode)) errorDetails.timeout = true;
  }
  const recipients = evidence?.recipientIdentifiers ?? [];
  // Per-recipient receipts name one recipient; a dispatch or acceptance lists them all.
  const recipient = kind && kind !== 'posta-certificata' && kind !== 'accettazione' && recipients.length === 1 ? recipients[0] : undefined;
  return { rem, error, errorDetails, recipient };
}

function readEvidence(part: MimeEntity, flags: string[]): NonNullable<RemInfo['evidence']> {
  const { root, wellFormed } = parseXml(decodedBody(part));
  if (!wellFormed) flags.push('rem-evidence-not-well-formed');
  const evidence: NonNullable<RemInfo['evidence']> = {
    part: partName(part) ?? part.contentType,
    reasons: [],
    recipientIdentifiers: [],
    signature: 'not-checked',
  };
  if (!root) {
    flags.push('rem-evidence-unreadable');
    return evidence;
  }
  evidence.identifier = textOf(root, 'EvidenceIdentifier');
  evidence.eventId = textOf(root, 'ERDSEventId');
  evidence.eventTime = textOf(root, 'EventTime');
  evidence.reasons = elements(root, 'EventReason').map((reason) => ({
    code: textOf(reason, 'Code') ?? '',
    details: elements(reason, 'Details')
      .map((d) => d.textContent?.trim() ?? '')
      .filter(Boolean),
  }));
  const sender = elements(root, 'SenderDetails')[0];
  evidence.senderIdentifier = textOf(sender, 'Identifier', false);
  evidence.recipientIdentifiers = elements(root, 'RecipientDetails')
    .map((r) => textOf(r, 'Identifier', false))
    .filter((id): id is string => id !== undefined);
  evidence.messageIdentifier = textOf(root, 'MessageIdentifier');
  evidence.subject = textOf(root, 'Subject');
  return evidence;
}
