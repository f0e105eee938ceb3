import { createHash } from 'node:crypto';
import { parseMimeEntity, partName, decodedBody, type MimeEntity } from '../pec/mime-tree.js';
import type { SigningIdentity } from './certificates.js';
import type { CertifiedMessage } from './certified-message.js';
import { domainOf } from './provider-mailboxes.js';
import { daticertXml, italianTime, type DaticertData, type DaticertErrore, type DaticertTipo } from './daticert-writer.js';
import { base64Lines, signedMessage, type MimePart } from './smime-signer.js';
import type { SubmittedMessage } from './submitted-message.js';

/** Who emits a message: the gestore of one local PEC domain. */
export interface Emitter {
  domain: string;
  /** daticert <gestore-emittente> and the name in errore-esteso. */
  gestore: string;
  signer: SigningIdentity;
  /** The Message-ID of the message being built (a fresh provider id). */
  messageId: string;
  now: Date;
}

/** Subject prefixes of RT / pec-protocol.md §2 (the original subject follows, as written). */
const PREFIX = {
  accettazione: 'ACCETTAZIONE: ',
  nonAccettazione: 'AVVISO DI NON ACCETTAZIONE: ',
  nonAccettazioneVirus: 'AVVISO DI NON ACCETTAZIONE PER VIRUS: ',
  trasporto: 'POSTA CERTIFICATA: ',
  consegna: 'CONSEGNA: ',
  erroreConsegna: 'AVVISO DI MANCATA CONSEGNA: ',
  erroreConsegnaVirus: 'AVVISO DI MANCATA CONSEGNA PER VIRUS: ',
  tempoMassimo: 'AVVISO DI MANCATA CONSEGNA PER SUP. TEMPO MASSIMO: ',
  presaInCarico: 'PRESA IN CARICO: ',
  rilevazioneVirus: 'PROBLEMA DI SICUREZZA: ',
  anomalia: 'ANOMALIA MESSAGGIO: ',
} as const;

export function acceptance(emitter: Emitter, message: CertifiedMessage): Promise<Buffer> {
  const when = describeTime(emitter.now);
  return receipt(emitter, message, {
    ricevuta: 'accettazione',
    prefix: PREFIX.accettazione,
    text:
      `Ricevuta di accettazione\r\n\r\nIl giorno ${when} il messaggio "${message.subject}" proveniente da "${message.sender}" ` +
      `ed indirizzato a:\r\n${message.recipients.map((r) => `${r} ("${message.external?.includes(r) ? 'posta ordinaria' : 'posta certificata'}")`).join('\r\n')}\r\n` +
      `è stato accettato dal sistema ed inoltrato.\r\nIdentificativo messaggio: ${message.pecId}\r\n`,
  });
}

export function nonAcceptance(emitter: Emitter, message: CertifiedMessage, refusal: { virus: boolean; reason: string }): Promise<Buffer> {
  const when = describeTime(emitter.now);
  const status = refusal.virus ? '5.7.1' : '5.6.0';
  return receipt(emitter, message, {
    ricevuta: 'non-accettazione',
    errore: refusal.virus ? 'virus' : 'altro',
    erroreEsteso: `${status} - ${emitter.gestore} - ${refusal.reason}`,
    prefix: refusal.virus ? PREFIX.nonAccettazioneVirus : PREFIX.nonAccettazione,
    extraHeaders: refusal.virus ? ['X-VerificaSicurezza: errore'] : [],
    text:
      `Avviso di non accettazione${refusal.virus ? ' per virus' : ''}\r\n\r\nIl giorno ${when} nel messaggio "${message.subject}" ` +
      `proveniente da "${message.sender}" è stato rilevato un problema che ne impedisce l'accettazione: ${refusal.reason}.\r\n` +
      `Il messaggio non è stato accettato.\r\nIdentificativo messaggio: ${message.pecId}\r\n`,
  });
}

/** The busta di trasporto: what each recipient finds in its mailbox, with the original as postacert.eml. */
export function transportEnvelope(emitter: Emitter, message: CertifiedMessage, postacert: Buffer): Promise<Buffer> {
  const when = describeTime(emitter.now);
  const headers = [
    `From: "Per conto di: ${message.sender}" <posta-certificata@${emitter.domain}>`,
    `Reply-To: ${message.replyTo}`,
    `To: ${message.recipients.join(', ')}`,
    `Subject: ${PREFIX.trasporto}${message.subjectRaw}`,
    `Date: ${rfc5322Date(emitter.now)}`,
    `Message-ID: <${message.pecId}>`,
    'X-Trasporto: posta-certificata',
    `X-Riferimento-Message-ID: <${message.msgid}>`,
    `X-TipoRicevuta: ${message.receiptKind}`,
  ];
  const text =
    `Messaggio di posta certificata\r\n\r\nIl giorno ${when} il messaggio "${message.subject}" è stato inviato da "${message.sender}" ` +
    `indirizzato a:\r\n${message.recipients.join('\r\n')}\r\nIl messaggio originale è incluso in allegato.\r\n` +
    `Identificativo messaggio: ${message.pecId}\r\n`;
  return signedMessage(emitter.signer, headers, [
    textPart(text),
    daticertPart(daticert(emitter, message, { tipo: 'posta-certificata', ricevuta: message.receiptKind })),
    postacertPart(postacert),
  ]);
}

/** Ricevuta di avvenuta consegna for one recipient, in the form the sender asked for (§6). */
export function delivery(emitter: Emitter, message: CertifiedMessage, recipient: string, postacert: Buffer): Promise<Buffer> {
  const when = describeTime(emitter.now);
  const kind = message.receiptKind;
  const original = kind === 'completa' ? postacert : kind === 'breve' ? withAttachmentHashes(postacert) : undefined;
  return receipt(emitter, message, {
    ricevuta: 'avvenuta-consegna',
    ricevutaTipo: kind,
    consegna: recipient,
    prefix: PREFIX.consegna,
    text:
      `Ricevuta di avvenuta consegna${kind === 'completa' ? '' : ` (${kind})`}\r\n\r\nIl giorno ${when} il messaggio "${message.subject}" ` +
      `proveniente da "${message.sender}" ed indirizzato a "${recipient}" è stato consegnato nella casella di destinazione.\r\n` +
      `Identificativo messaggio: ${message.pecId}\r\n`,
    original,
  });
}

export type DeliveryFailure = 'no-dest' | 'no-dominio' | 'virus';

const FAILURES: Record<DeliveryFailure, { code: string; description: string }> = {
  'no-dest': { code: '5.1.1', description: 'indirizzo non valido' },
  'no-dominio': { code: '5.1.2', description: 'dominio non gestito da alcun gestore di posta certificata' },
  virus: { code: '5.7.1', description: 'il messaggio contiene un virus (EICAR-Test-File)' },
};

/**
 * Avviso di mancata consegna: the mailbox (no-dest) or the domain (no-dominio) is not known here,
 * or the recipient's gestore found a virus (with X-VerificaSicurezza: errore, pec-protocol.md §2 row 10).
 */
export function deliveryError(emitter: Emitter, message: CertifiedMessage, recipient: string, failure: DeliveryFailure): Promise<Buffer> {
  const when = describeTime(emitter.now);
  const { code, description } = FAILURES[failure];
  const virus = failure === 'virus';
  return receipt(emitter, message, {
    ricevuta: 'errore-consegna',
    errore: failure,
    consegna: recipient,
    erroreEsteso: `${code} - ${emitter.gestore} - ${description}`,
    prefix: virus ? PREFIX.erroreConsegnaVirus : PREFIX.erroreConsegna,
    extraHeaders: virus ? ['X-VerificaSicurezza: errore'] : [],
    text:
      `Avviso di mancata consegna${virus ? ' per virus' : ''}\r\n\r\nIl giorno ${when} nel messaggio "${message.subject}" proveniente da "${message.sender}" ` +
      `ed indirizzato a "${recipient}" è stato rilevato un errore: ${description} (${code}).\r\n` +
      `Il messaggio non è stato consegnato.\r\nIdentificativo messaggio: ${message.pecId}\r\n`,
  });
}

/**
 * Ricevuta di presa in carico: the recipients' punto di ricezione tells the sender's gestore that
 * it took the busta over for `recipients` (its `<ricezione>`). Addressed to the sender's gestore.
 */
export function takeover(emitter: Emitter, message: CertifiedMessage, recipients: string[]): Promise<Buffer> {
  return receipt(emitter, message, {
    ricevuta: 'presa-in-carico',
    ricezione: recipients,
    to: `posta-certificata@${domainOf(message.sender)}`,
    prefix: PREFIX.presaInCarico,
    text:
      `Ricevuta di presa in carico\r\n\r\nIl giorno ${describeTime(emitter.now)} il messaggio "${message.subject}" ` +
      `proveniente da "${message.sender}" ed indirizzato a:\r\n${recipients.join('\r\n')}\r\n` +
      `è stato accettato dal sistema di ricezione.\r\nIdentificativo messaggio: ${message.pecId}\r\n`,
  });
}

/** Avviso di rilevazione virus: the recipient's punto di ricezione found a virus; to the sender's gestore. */
export function virusDetected(emitter: Emitter, message: CertifiedMessage, recipient: string): Promise<Buffer> {
  return receipt(emitter, message, {
    ricevuta: 'rilevazione-virus',
    errore: 'virus',
    consegna: recipient,
    erroreEsteso: `5.7.1 - ${emitter.gestore} - ${FAILURES.virus.description}`,
    to: `posta-certificata@${domainOf(message.sender)}`,
    prefix: PREFIX.rilevazioneVirus,
    text:
      `Avviso di rilevazione virus\r\n\r\nIl giorno ${describeTime(emitter.now)} nel messaggio "${message.subject}" ` +
      `proveniente da "${message.sender}" ed indirizzato a "${recipient}" è stato rilevato un virus.\r\n` +
      `Il messaggio non è stato consegnato.\r\nIdentificativo messaggio: ${message.pecId}\r\n`,
  });
}

/**
 * The 12 h warning (preavviso-errore-consegna) and the 24 h final notice (errore-consegna with
 * 5.4.1, the AgID NOTA 12 code), both with the "SUP. TEMPO MASSIMO" subject (§7).
 */
export function timeoutNotice(
  emitter: Emitter,
  message: CertifiedMessage,
  recipient: string,
  stage: 'preavviso' | 'final',
): Promise<Buffer> {
  const when = describeTime(emitter.now);
  const final = stage === 'final';
  const description = final
    ? 'il messaggio non è stato consegnato nelle ventiquattro ore successive al suo invio. Si ritiene che la spedizione debba considerarsi non andata a buon fine'
    : 'non è ancora pervenuta la ricevuta di presa in carico o di avvenuta consegna nelle dodici ore successive al suo invio';
  return receipt(emitter, message, {
    ricevuta: final ? 'errore-consegna' : 'preavviso-errore-consegna',
    errore: 'altro',
    consegna: recipient,
    erroreEsteso: `${final ? '5.4.1' : '4.4.7'} - ${emitter.gestore} - ${description}`,
    prefix: PREFIX.tempoMassimo,
    text:
      `Avviso di mancata consegna per superamento dei tempi massimi\r\n\r\nIl giorno ${when} per il messaggio "${message.subject}" ` +
      `proveniente da "${message.sender}" ed indirizzato a "${recipient}": ${description}.\r\nIdentificativo messaggio: ${message.pecId}\r\n`,
  });
}

/**
 * Busta di anomalia: ordinary mail that reached a PEC mailbox. No daticert (its data are not
 * certified), the original attached, X-Trasporto: errore (pec-protocol.md §2 row 6).
 */
export function anomalyEnvelope(emitter: Emitter, original: SubmittedMessage, recipients: string[]): Promise<Buffer> {
  const sender = original.from[0] ?? 'mittente sconosciuto';
  const headers = [
    `From: "Per conto di: ${sender}" <posta-certificata@${emitter.domain}>`,
    ...(original.from[0] ? [`Reply-To: ${original.replyTo ?? original.from[0]}`] : []),
    `To: ${recipients.join(', ')}`,
    `Subject: ${PREFIX.anomalia}${original.subjectRaw}`,
    `Date: ${rfc5322Date(emitter.now)}`,
    `Message-ID: <${emitter.messageId}>`,
    'X-Trasporto: errore',
    ...(original.messageId ? [`X-Riferimento-Message-ID: <${original.messageId}>`] : []),
  ];
  const text =
    `Anomalia nel messaggio\r\n\r\nIl giorno ${describeTime(emitter.now)} è stato ricevuto il messaggio "${original.subject}" ` +
    `proveniente da "${sender}". Tali dati non sono stati certificati per il seguente errore: ` +
    `il messaggio non proviene da un gestore di posta elettronica certificata.\r\nIl messaggio originale è incluso in allegato.\r\n`;
  return signedMessage(emitter.signer, headers, [textPart(text), postacertPart(original.raw)]);
}

/**
 * postacert.eml: the submitted message with its Message-ID replaced by the identificativo and the
 * sender's id kept in X-Riferimento-Message-ID (pec-protocol.md §4). Bcc never survives (refused earlier).
 */
export function postacert(original: SubmittedMessage, pecId: string, msgid: string): Buffer {
  const kept = original.headerBlock
    .split(/\r?\n(?![ \t])/)
    .filter((field) => !/^(message-id|bcc|x-riferimento-message-id)\s*:/i.test(field))
    .join('\r\n');
  const head = `Message-ID: <${pecId}>\r\nX-Riferimento-Message-ID: <${msgid}>\r\n${kept}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), original.body]);
}

interface ReceiptSpec {
  ricevuta: DaticertTipo;
  errore?: DaticertErrore;
  erroreEsteso?: string;
  ricevutaTipo?: CertifiedMessage['receiptKind'];
  consegna?: string;
  ricezione?: string[];
  /** Default: the sender. Notices between gestori go to the sender's gestore. */
  to?: string;
  prefix: string;
  text: string;
  extraHeaders?: string[];
  original?: Buffer;
}

/** A receipt or notice from the provider to the sender: X-Ricevuta, daticert, optional original. */
function receipt(emitter: Emitter, message: CertifiedMessage, spec: ReceiptSpec): Promise<Buffer> {
  const headers = [
    `From: posta-certificata@${emitter.domain}`,
    `To: ${spec.to ?? message.sender}`,
    `Subject: ${spec.prefix}${message.subjectRaw}`,
    `Date: ${rfc5322Date(emitter.now)}`,
    `Message-ID: <${emitter.messageId}>`,
    `X-Ricevuta: ${spec.ricevuta}`,
    ...(spec.extraHeaders ?? []),
    `X-Riferimento-Message-ID: <${message.msgid}>`,
  ];
  const data = daticert(emitter, message, {
    tipo: spec.ricevuta,
    errore: spec.errore,
    erroreEsteso: spec.erroreEsteso,
    ricevuta: spec.ricevutaTipo,
    consegna: spec.consegna,
    ricezione: spec.ricezione,
  });
  const parts = [textPart(spec.text), daticertPart(data)];
  if (spec.original) parts.push(postacertPart(spec.original));
  return signedMessage(emitter.signer, headers, parts);
}

function daticert(emitter: Emitter, message: CertifiedMessage, fields: Pick<DaticertData, 'tipo'> & Partial<DaticertData>): string {
  return daticertXml({
    mittente: message.sender,
    destinatari: message.recipients,
    esterni: message.external,
    risposte: message.replyTo,
    oggetto: message.subject,
    gestore: emitter.gestore,
    date: emitter.now,
    identificativo: message.pecId,
    msgid: message.msgid,
    ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
  } as DaticertData);
}

function textPart(text: string): MimePart {
  return {
    headers: ['Content-Type: text/plain; charset="utf-8"', 'Content-Transfer-Encoding: base64'],
    body: base64Lines(Buffer.from(text)),
  };
}

function daticertPart(xml: string): MimePart {
  return {
    headers: [
      'Content-Type: application/xml; name="daticert.xml"',
      'Content-Disposition: inline; filename="daticert.xml"',
      'Content-Transfer-Encoding: base64',
    ],
    body: base64Lines(Buffer.from(xml, 'utf8')),
  };
}

function postacertPart(raw: Buffer): MimePart {
  return {
    headers: ['Content-Type: message/rfc822; name="postacert.eml"', 'Content-Disposition: inline; filename="postacert.eml"'],
    body: raw,
  };
}

/**
 * The breve form of the original (§6): every attachment replaced by a text part naming it and
 * giving its SHA-256, so the sender proves the content with the files it kept.
 */
export function withAttachmentHashes(raw: Buffer): Buffer {
  return rebuild(parseMimeEntity(raw, []));
}

function rebuild(entity: MimeEntity): Buffer {
  const head = entity.raw.subarray(0, entity.raw.length - entity.body.length);
  const boundary = entity.params['boundary'];
  if (entity.children.length > 0 && boundary) {
    const chunks: Buffer[] = [head];
    for (const child of entity.children) chunks.push(Buffer.from(`--${boundary}\r\n`), rebuild(child), Buffer.from('\r\n'));
    chunks.push(Buffer.from(`--${boundary}--\r\n`));
    return Buffer.concat(chunks);
  }
  const name = partName(entity);
  const disposition = (entity.headers.get('content-disposition') ?? '').toLowerCase();
  if (name === undefined && !disposition.startsWith('attachment')) return entity.raw;
  const hash = createHash('sha256').update(decodedBody(entity)).digest('hex');
  const label = name ?? 'allegato';
  return Buffer.from(
    `Content-Type: text/plain; charset="utf-8"\r\nContent-Disposition: attachment; filename="${label}.sha256"\r\n\r\n` +
      `Allegato "${label}" sostituito dalla sua impronta SHA-256: ${hash}\r\n`,
    'utf8',
  );
}

function describeTime(date: Date): string {
  const { giorno, ora, zona } = italianTime(date);
  return `${giorno} alle ore ${ora} (${zona})`;
}

function rfc5322Date(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}
