/**
 * What the PEC parser reports about one message (see docs/decisions/0013-pec-parser.md).
 * The correlator reads the top-level fields (`kind`, `receiptType`, `error`, `referencesMessageId`,
 * `recipient`, `providerId`, `signature`: the contract); the rest is evidence for people.
 */
/** What a PEC message means, named as the rulebook names it (`X-Ricevuta` / `X-Trasporto` / daticert `tipo`). */
export type PecMeaning =
  | 'posta-certificata'
  | 'anomalia'
  | 'accettazione'
  | 'non-accettazione'
  | 'presa-in-carico'
  | 'avvenuta-consegna'
  | 'errore-consegna'
  | 'preavviso-errore-consegna'
  | 'rilevazione-virus';

/** `rem`: a REM message, whose PEC meaning is `rem.pecKind`; `not-pec`: no PEC or REM marker at all. */
export type PecKind = PecMeaning | 'rem' | 'not-pec';

export type ReceiptType = 'completa' | 'breve' | 'sintetica';

/** The daticert `errore` attribute (DTD values other than `nessuno`). */
export type PecErrorCode = 'no-dest' | 'no-dominio' | 'virus' | 'altro';

/** What goes with the `errore` code. */
export interface PecErrorDetails {
  /** `errore-esteso` as written, e.g. "5.1.1 - Aruba Pec S.p.A. - indirizzo non valido". */
  extended?: string;
  /** The enhanced status code that opens `errore-esteso` (RFC 3463 style), e.g. "5.4.1". */
  status?: string;
  /** True for the 24 h notice (`5.4.1`), whether the provider typed it preavviso or errore. */
  timeout?: boolean;
}

export interface PecRecipient {
  address: string;
  /** daticert `destinatari tipo`: `certificato` recipients get delivery receipts, `esterno` never do. */
  type?: 'certificato' | 'esterno';
}

export interface PecAttachmentSummary {
  filename?: string;
  contentType: string;
  size: number;
  sha256: string;
}

export interface PecOriginal {
  /** Which part carried it: `postacert.eml`, REM `AttachedMimeMessage`, or the message an anomaly wraps. */
  part: string;
  messageId?: string;
  /** The sender's own Message-ID, kept by the provider inside postacert.eml. */
  referenceMessageId?: string;
  subject?: string;
  from?: string;
  to: string[];
  cc: string[];
  date?: string;
  /** What a reply points at: recipients saw the identificativo as Message-ID, so replies name it. */
  inReplyTo?: string;
  references: string[];
  headers: { name: string; value: string }[];
  text?: string;
  attachments: PecAttachmentSummary[];
}

export interface PecBounce {
  recipients: { finalRecipient?: string; action?: string; status?: string; diagnostic?: string }[];
  /** The returned busta's Message-ID: the PEC identificativo. */
  returnedMessageId?: string;
  /** The returned busta's X-Riferimento-Message-ID: our Message-ID. */
  returnedReference?: string;
}

export interface PecSignerCertificate {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  emailAddresses: string[];
}

/** `not-checked` only when the caller asked to skip verification (`parsePec(raw, { verifySignature: false })`). */
export type SignatureStatus = 'valid' | 'invalid' | 'absent' | 'not-checked';

export interface PecSignatureDetails {
  /** Why: the verification error, or what was missing. */
  reason?: string;
  format?: 'multipart/signed' | 'application/pkcs7-mime';
  micalg?: string;
  digestAlgorithm?: string;
  signer?: PecSignerCertificate;
  signingTime?: string;
  /** The signer's e-mail (SAN) equals the From address, as it does for every real provider receipt. */
  signerMatchesFrom?: boolean;
  /** The certificate was inside its validity period at signing time (all corpus certificates have expired since). */
  certificateValidAtSigning?: boolean;
  /** The chain to AgID CA1 / the trust list is not checked here. */
  chain: 'not-checked';
}

export interface RemEvidenceReason {
  code: string;
  details: string[];
}

export interface RemInfo {
  /** The PEC meaning of the REM event (ioggstream/erds-pec-study mapping); null for an event without one. */
  pecKind: PecMeaning | null;
  messageType?: string;
  event?: string;
  reason?: string;
  /** The Policy-IT code (RA01, RD03 …) taken from the evidence `Details`. */
  reasonCode?: string;
  evidenceId?: string;
  uaMessageIdentifier?: string;
  originalSender?: string;
  relayDate?: string;
  applicablePolicies: string[];
  metadataVersion?: string;
  digest?: { algorithm?: string; value?: string };
  evidence?: {
    part: string;
    identifier?: string;
    eventId?: string;
    eventTime?: string;
    reasons: RemEvidenceReason[];
    senderIdentifier?: string;
    recipientIdentifiers: string[];
    messageIdentifier?: string;
    subject?: string;
    /** XAdES signature of the evidence: not verified here. */
    signature: 'not-checked';
  };
}

export interface PecResult {
  kind: PecKind;
  /** Where the kind came from. */
  protocol: 'pec' | 'rem' | 'none';
  /** `X-TipoRicevuta` / daticert `ricevuta` of a busta or delivery receipt. */
  receiptType: ReceiptType | null;
  /** The daticert `errore` code (or the REM reason's equivalent); null when there is none. */
  error: PecErrorCode | null;
  errorDetails: PecErrorDetails | null;
  /** Our Message-ID the message refers to: X-Riferimento-Message-ID, else daticert msgid, else REM-UAMessageIdentifier. */
  referencesMessageId: string | null;
  /** The one recipient a per-recipient receipt (`<consegna>`) or a bounced anomalia is about. */
  recipient: string | null;
  /** The provider's identifier of the message (daticert `identificativo`), the same in every receipt of one message. */
  providerId: string | null;
  /** This message's own Message-ID. */
  messageId: string | null;
  /** Set when the PEC marker has a value the rulebook does not list: the kind is then `anomalia`. */
  unrecognisedType?: { source: 'x-ricevuta' | 'x-trasporto' | 'daticert-tipo'; value: string };
  sender?: string;
  recipients: PecRecipient[];
  /** `<ricezione>`: the recipients a presa in carico covers. */
  receivedFor: string[];
  subject?: string;
  originalSubject?: string;
  dates: { header?: string; certified?: string };
  /** `listed`: the From domain is one of the provider domains in AgID CA1's name constraints. */
  provider: { name?: string; address?: string; listed: boolean };
  original?: PecOriginal;
  /** A busta di anomalia that wraps a delivery status notification: a non-PEC recipient refused the busta. */
  bounce?: PecBounce;
  signature: SignatureStatus;
  signatureDetails: PecSignatureDetails;
  rem?: RemInfo;
  /** Parts of the signed content the parser does not know, kept by summary (never dropped silently). */
  otherParts: PecAttachmentSummary[];
  /** Top-level headers the parser read (PEC X-* and REM-*), as written. */
  markers: Record<string, string>;
  flags: string[];
}
