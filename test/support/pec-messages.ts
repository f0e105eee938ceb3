import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { base64Lines, cmsSignature } from '../../src/pec-provider/smime-signer.js';

/**
 * Builders for synthetic PEC and REM messages, shaped like the real ones in shared/corpus/pec
 * (multipart/signed → multipart/mixed → text, daticert.xml, postacert.eml + smime.p7s), signed with
 * a throw-away key so every signature outcome can be produced on purpose.
 */

export interface DaticertSpec {
  tipo: string;
  errore?: string;
  mittente?: string;
  destinatari?: { address: string; tipo?: string }[];
  oggetto?: string;
  gestore?: string;
  giorno?: string;
  ora?: string;
  zona?: string;
  identificativo?: string;
  /** Written escaped, as providers write it: `&lt;id&gt;`. Null leaves the element out (Poste 2012). */
  msgid?: string | null;
  ricevuta?: string;
  consegna?: string;
  ricezione?: string[];
  erroreEsteso?: string;
  /** A namespace on the root element (no provider seen does this; the parser must not care). */
  namespace?: string;
  /** The encoding in the XML declaration; null writes no declaration at all. */
  encoding?: string | null;
}

export const SENT_ID = 'pf-01JD2Q7X8M3K@pec.demo.test';
export const PEC_ID = 'opec210312.20261126100000.12345.67.1.89@pec.provider.test';

export function daticertXml(spec: DaticertSpec): string {
  const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const el = (name: string, value: string | undefined) => (value === undefined ? '' : `    <${name}>${esc(value)}</${name}>\n`);
  const declaration = spec.encoding === null ? '' : `<?xml version="1.0" encoding="${spec.encoding ?? 'UTF-8'}"?>\n`;
  const ns = spec.namespace ? ` xmlns="${spec.namespace}"` : '';
  const destinatari = (spec.destinatari ?? [{ address: 'mario.rossi@pec.cliente.test', tipo: 'certificato' }])
    .map((d) => `    <destinatari${d.tipo ? ` tipo="${d.tipo}"` : ''}>${esc(d.address)}</destinatari>\n`)
    .join('');
  return (
    `${declaration}<postacert${ns} tipo="${spec.tipo}" errore="${spec.errore ?? 'nessuno'}">\n` +
    `  <intestazione>\n${el('mittente', spec.mittente ?? 'ufficio@pec.demo.test')}${destinatari}` +
    `${el('risposte', spec.mittente ?? 'ufficio@pec.demo.test')}${el('oggetto', spec.oggetto ?? 'Avviso di pagamento n. 42')}  </intestazione>\n` +
    `  <dati>\n${el('gestore-emittente', spec.gestore ?? 'PROVIDER PEC S.p.A.')}` +
    `    <data zona="${spec.zona ?? '+0100'}">\n      <giorno>${spec.giorno ?? '26/11/2026'}</giorno>\n      <ora>${spec.ora ?? '10:00:05'}</ora>\n    </data>\n` +
    el('identificativo', spec.identificativo ?? PEC_ID) +
    (spec.msgid === null ? '' : el('msgid', `<${spec.msgid ?? SENT_ID}>`)) +
    (spec.ricevuta ? `    <ricevuta tipo="${spec.ricevuta}"/>\n` : '') +
    el('consegna', spec.consegna) +
    (spec.ricezione ?? []).map((r) => el('ricezione', r)).join('') +
    el('errore-esteso', spec.erroreEsteso) +
    `  </dati>\n</postacert>\n`
  );
}

export interface Part {
  headers: string[];
  body: string;
}

export function daticertPart(xml: string): Part {
  return {
    headers: [
      'Content-Type: application/xml; name="daticert.xml"',
      'Content-Disposition: inline; filename="daticert.xml"',
      'Content-Transfer-Encoding: base64',
    ],
    body: base64Lines(Buffer.from(xml, xml.includes('ISO-8859-1') ? 'latin1' : 'utf8')),
  };
}

export function textPart(text: string): Part {
  return { headers: ['Content-Type: text/plain; charset="utf-8"', 'Content-Transfer-Encoding: 8bit'], body: text };
}

export function messagePart(raw: string, name = 'postacert.eml', extraHeaders: string[] = []): Part {
  return {
    headers: [`Content-Type: message/rfc822; name="${name}"`, `Content-Disposition: inline; filename="${name}"`, ...extraHeaders],
    body: raw,
  };
}

/** The original message as the provider keeps it in postacert.eml: Message-ID rewritten, our id in X-Riferimento-Message-ID. */
export function originalMessage(options: { subject?: string; attachment?: { name: string; content: Buffer } } = {}): string {
  const boundary = 'orig-boundary';
  const lines = [
    'From: Ufficio Tributi <ufficio@pec.demo.test>',
    'To: mario.rossi@pec.cliente.test',
    `Subject: ${options.subject ?? 'Avviso di pagamento n. 42'}`,
    'Date: Thu, 26 Nov 2026 10:00:00 +0100',
    `Message-ID: <${PEC_ID}>`,
    `X-Riferimento-Message-ID: <${SENT_ID}>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset="utf-8"',
    '',
    'Gentile contribuente, in allegato l’avviso.',
  ];
  if (options.attachment) {
    lines.push(
      `--${boundary}`,
      `Content-Type: application/pdf; name="${options.attachment.name}"`,
      `Content-Disposition: attachment; filename="${options.attachment.name}"`,
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(options.attachment.content),
    );
  }
  lines.push(`--${boundary}--`, '');
  return lines.join('\r\n');
}

export interface MessageSpec {
  /** Top-level headers besides From, To, Subject, Date, Message-ID, MIME-Version and Content-Type. */
  headers?: string[];
  from?: string;
  subject?: string;
  messageId?: string;
  parts: Part[];
  /** Sign with this key (multipart/signed unless `opaque`); unsigned when absent. */
  signer?: Signer;
  opaque?: boolean;
  /** Change the signed content after signing (a tampered message). */
  tamper?: (content: string) => string;
  /** Store the message with bare LF line ends, as several corpus files are. */
  lf?: boolean;
}

export async function pecMessage(spec: MessageSpec): Promise<Buffer> {
  const mixed = 'mixed-boundary-7f3a';
  const content = [
    `Content-Type: multipart/mixed; boundary="${mixed}"`,
    '',
    ...spec.parts.flatMap((p) => [`--${mixed}`, ...p.headers, '', p.body]),
    `--${mixed}--`,
    '',
  ].join('\r\n');
  const top = [
    `From: ${spec.from ?? 'posta-certificata@pec.provider.test'}`,
    'To: ufficio@pec.demo.test',
    `Subject: ${spec.subject ?? 'ACCETTAZIONE: Avviso di pagamento n. 42'}`,
    'Date: Thu, 26 Nov 2026 10:00:05 +0100',
    `Message-ID: <${spec.messageId ?? 'opec210312.20261126100005.12345.67.1.2.89@pec.provider.test'}>`,
    ...(spec.headers ?? []),
    'MIME-Version: 1.0',
  ];
  let message: string;
  if (!spec.signer) message = [...top, content].join('\r\n');
  else if (spec.opaque) {
    const cms = await cmsSignature(spec.signer, Buffer.from(content, 'utf8'), { embed: true, signingTime: spec.signer.signingTime });
    message = [
      ...top,
      'Content-Type: application/pkcs7-mime; smime-type=signed-data; name="smime.p7m"',
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(cms),
      '',
    ].join('\r\n');
  } else {
    const sig = 'signed-boundary-91c2';
    const cms = await cmsSignature(spec.signer, Buffer.from(content, 'utf8'), { signingTime: spec.signer.signingTime });
    const signedContent = spec.tamper ? spec.tamper(content) : content;
    message = [
      ...top,
      `Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg="sha-256"; boundary="${sig}"`,
      '',
      'This is an S/MIME signed message',
      '',
      `--${sig}`,
      signedContent,
      `--${sig}`,
      'Content-Type: application/pkcs7-signature; name="smime.p7s"',
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="smime.p7s"',
      '',
      base64Lines(cms),
      '',
      `--${sig}--`,
      '',
    ].join('\r\n');
  }
  return Buffer.from(spec.lf ? message.replace(/\r\n/g, '\n') : message, 'utf8');
}

export interface Signer {
  email: string;
  certificate: pkijs.Certificate;
  privateKey: CryptoKey;
  signingTime: Date;
}

/** A self-signed provider certificate with the provider address in its SAN, as real PEC signers have. */
export async function newSigner(
  email = 'posta-certificata@pec.provider.test',
  signingTime = new Date('2026-11-26T09:00:05Z'),
  /** The serial's INTEGER content bytes as written (default 2a2b); a leading 00 makes a BER-only certificate OpenSSL refuses. */
  serial: number[] = [0x2a, 0x2b],
): Promise<Signer> {
  const keys = await crypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  );
  const certificate = new pkijs.Certificate();
  certificate.version = 2;
  certificate.serialNumber = new asn1js.Integer({ valueHex: new Uint8Array(serial).buffer });
  const name = () =>
    new pkijs.AttributeTypeAndValue({ type: '2.5.4.3', value: new asn1js.Utf8String({ value: 'Posta Certificata Provider' }) });
  certificate.subject.typesAndValues.push(name());
  certificate.issuer.typesAndValues.push(name());
  certificate.notBefore.value = new Date('2026-01-01T00:00:00Z');
  certificate.notAfter.value = new Date('2028-01-01T00:00:00Z');
  certificate.extensions = [
    new pkijs.Extension({
      extnID: '2.5.29.17',
      critical: false,
      extnValue: new pkijs.GeneralNames({ names: [new pkijs.GeneralName({ type: 1, value: email })] }).toSchema().toBER(false),
    }),
  ];
  await certificate.subjectPublicKeyInfo.importKey(keys.publicKey);
  await certificate.sign(keys.privateKey, 'SHA-256');
  return { email, certificate, privateKey: keys.privateKey, signingTime };
}

/** A REM receipt or dispatch as in the AgID Policy-IT examples: REM-* headers and an ERDS evidence section. */
export function remEvidencePart(event: string, reason: { code: string; details: string[] }, recipients: string[]): Part {
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?><tns:Evidence xmlns:tns="http://uri.etsi.org/19522/v1#" version="EN319522v1.1.1">` +
    `<tns:EvidenceIdentifier>EV-1.rem-service@rems.test</tns:EvidenceIdentifier>` +
    `<tns:ERDSEventId>http://uri.etsi.org/19522/Event/${event}</tns:ERDSEventId>` +
    `<tns:EventReasons><tns:EventReason><Code>${reason.code}</Code>${reason.details.map((d) => `<Details>${d}</Details>`).join('')}</tns:EventReason></tns:EventReasons>` +
    `<EventTime>2026-11-26T09:00:05Z</EventTime>` +
    `<tns:SenderDetails><Identifier IdentifierSchemeName="mailto">ufficio@rem.demo.test</Identifier></tns:SenderDetails>` +
    recipients
      .map((r) => `<tns:RecipientDetails><Identifier IdentifierSchemeName="mailto">${r}</Identifier></tns:RecipientDetails>`)
      .join('') +
    `<tns:MessageIdentifier>MSG-1.rem-service@rems.test</tns:MessageIdentifier>` +
    `</tns:Evidence>`;
  return {
    headers: [
      `Content-Type: application/xml; charset=UTF-8; name="${event}.xml"`,
      'Content-Transfer-Encoding: base64',
      `Content-Disposition: attachment; filename="${event}.xml"`,
      'REM-Section-Type: rem_message/xml_evidence',
    ],
    body: base64Lines(Buffer.from(xml)),
  };
}

export function remHeaders(messageType: 'dispatch' | 'receipt', event: string, reason: string): string[] {
  return [
    'REM-MetadataVersion: EN31953203V010201',
    'REM-ApplicablePolicy: http://uri.etsi.org/19532/v1#/REMbaseline',
    'REM-ApplicablePolicy: https://eidas.agid.gov.it/REM/rem-policy-it',
    `REM-MessageType: http://uri.etsi.org/19522/v1#/ERDMessageType/${messageType}`,
    `REM-UAMessageIdentifier: <${SENT_ID}>`,
    `REM-EventIdentifier: http://uri.etsi.org/19522/Event/${event}`,
    'REM-Evidence-ID: <EV-1.rem-service@rems.test>',
    `REM-ReasonIdentifier: http://uri.etsi.org/19522/EventReason/${reason}`,
    'REM-MD08: "Ufficio" <ufficio@rem.demo.test>',
  ];
}
