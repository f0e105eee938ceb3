import { randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { SigningIdentity } from './certificates.js';

/** A MIME entity to put inside the signed multipart/mixed: its header lines and its body. */
export interface MimePart {
  headers: string[];
  /** Text is written as UTF-8; a Buffer (an original message) goes in byte for byte. */
  body: string | Buffer;
}

/**
 * Wraps `parts` in multipart/mixed and signs it as every PEC provider does (pec-protocol.md §4):
 * multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256, with a detached CMS
 * SignedData carrying contentType, messageDigest and signingTime (RFC 8551 §2.5) and the signer's
 * certificate. `headers` are the top-level header lines (From, To, Subject, X-Ricevuta …).
 */
export async function signedMessage(signer: SigningIdentity, headers: string[], parts: MimePart[]): Promise<Buffer> {
  const mixed = `mixed-${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [
    text(`Content-Type: multipart/mixed; boundary="${mixed}"\r\n\r\nThis is a multi-part message in MIME format.\r\n`),
  ];
  for (const part of parts) {
    chunks.push(text(`--${mixed}\r\n${part.headers.join('\r\n')}\r\n\r\n`), typeof part.body === 'string' ? text(part.body) : part.body);
    chunks.push(text('\r\n'));
  }
  chunks.push(text(`--${mixed}--\r\n`));
  const content = Buffer.concat(chunks);
  const signature = await cmsSignature(signer, content);
  const outer = `signed-${randomBytes(12).toString('hex')}`;
  const head = [
    ...headers,
    'MIME-Version: 1.0',
    `Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="${outer}"`,
    '',
    'This is an S/MIME signed message',
    `--${outer}`,
    '',
  ].join('\r\n');
  const tail = [
    '',
    `--${outer}`,
    'Content-Type: application/pkcs7-signature; name="smime.p7s"',
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="smime.p7s"',
    '',
    base64Lines(signature),
    `--${outer}--`,
    '',
  ].join('\r\n');
  return Buffer.concat([text(head), content, text(tail)]);
}

function text(value: string): Buffer {
  return Buffer.from(value, 'utf8');
}

/**
 * CMS SignedData over `data` with the signed attributes S/MIME agents write (RFC 8551 §2.5):
 * detached (for multipart/signed) unless `embed`, which carries the content (application/pkcs7-mime).
 */
export async function cmsSignature(
  signer: Pick<SigningIdentity, 'certificate' | 'privateKey'>,
  data: Buffer,
  { embed = false, signingTime = new Date() }: { embed?: boolean; signingTime?: Date } = {},
): Promise<Buffer> {
  const bytes = new Uint8Array(data);
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  const signed = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({
      eContentType: pkijs.ContentInfo.DATA,
      ...(embed ? { eContent: new asn1js.OctetString({ valueHex: bytes }) } : {}),
    }),
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({ issuer: signer.certificate.issuer, serialNumber: signer.certificate.serialNumber }),
        signedAttrs: new pkijs.SignedAndUnsignedAttributes({
          type: 0,
          attributes: [
            new pkijs.Attribute({ type: '1.2.840.113549.1.9.3', values: [new asn1js.ObjectIdentifier({ value: pkijs.ContentInfo.DATA })] }),
            new pkijs.Attribute({ type: '1.2.840.113549.1.9.4', values: [new asn1js.OctetString({ valueHex: digest })] }),
            new pkijs.Attribute({ type: '1.2.840.113549.1.9.5', values: [new asn1js.UTCTime({ valueDate: signingTime })] }),
          ],
        }),
      }),
    ],
    certificates: [signer.certificate],
  });
  await signed.sign(signer.privateKey, 0, 'SHA-256', embed ? undefined : bytes);
  const info = new pkijs.ContentInfo({ contentType: pkijs.ContentInfo.SIGNED_DATA, content: signed.toSchema(true) });
  return Buffer.from(info.toSchema().toBER(false));
}

export function base64Lines(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}
