import { createHash, verify as verifySignature, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { DER, derAt, derChildren, derOid, derTime, type DerElement } from './der.js';
import { canonicalCrlf, decodedBody, parseMimeEntity, type MimeEntity } from './mime-tree.js';
import type { PecSignatureDetails, PecSignerCertificate, SignatureStatus } from './pec-result.js';

/** The verdict and its details, together while they are worked out; the result reports them apart. */
export type SignatureCheck = PecSignatureDetails & { status: SignatureStatus };

const SIGNING_TIME = '1.2.840.113549.1.9.5';
const MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const SIGNED_DATA = '1.2.840.113549.1.7.2';
/** Signature algorithms node:crypto verifies with the signer's key and the digest named by the signer info. */
const PLAIN_SIGNATURES = new Set([
  '1.2.840.113549.1.1.1', // rsaEncryption
  '1.2.840.113549.1.1.5', // sha1WithRSAEncryption
  '1.2.840.113549.1.1.11', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12', // sha384WithRSAEncryption
  '1.2.840.113549.1.1.13', // sha512WithRSAEncryption
  '1.2.840.10045.4.3.2', // ecdsa-with-SHA256
  '1.2.840.10045.4.3.3', // ecdsa-with-SHA384
]);
const DIGESTS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

export interface SignedEnvelope {
  /** The entity the provider signed (for PEC, the multipart/mixed with text, daticert and postacert). */
  content: MimeEntity;
  signature: SignatureCheck;
}

/**
 * Opens the S/MIME layer of a message (RFC 8551): `multipart/signed` (what every PEC provider
 * sends) or opaque `application/pkcs7-mime; smime-type=signed-data`. The signature is checked over
 * the first part's exact bytes in canonical CRLF form; the signer chain is not (see PecSignatureDetails.chain).
 */
export async function openSignedEnvelope(top: MimeEntity, flags: string[], check = true): Promise<SignedEnvelope> {
  if (top.contentType === 'multipart/signed') {
    const [content, signaturePart] = top.children;
    if (!content) return { content: top, signature: absent('multipart/signed without any part', 'multipart/signed', top) };
    if (!signaturePart || !/^application\/(x-)?pkcs7-signature$/.test(signaturePart.contentType)) {
      return { content, signature: absent('multipart/signed without its signature part (truncated or stripped)', 'multipart/signed', top) };
    }
    const signature = check
      ? await verify(decodedBody(signaturePart), canonicalCrlf(content.raw), 'multipart/signed', top)
      : notChecked('multipart/signed', top);
    return { content, signature };
  }
  if (/^application\/(x-)?pkcs7-mime$/.test(top.contentType)) {
    const cms = decodedBody(top);
    const inner = embeddedContent(cms);
    if (!inner) {
      return {
        content: top,
        signature: { ...base('application/pkcs7-mime', top), status: 'invalid', reason: 'no signed-data content inside' },
      };
    }
    const content = parseMimeEntity(inner, flags, 1);
    return {
      content,
      signature: check ? await verify(cms, undefined, 'application/pkcs7-mime', top) : notChecked('application/pkcs7-mime', top),
    };
  }
  return { content: top, signature: { status: 'absent', reason: 'the message is not S/MIME signed', chain: 'not-checked' } };
}

function base(format: PecSignatureDetails['format'], top: MimeEntity): SignatureCheck {
  return { status: 'absent', format, micalg: top.params['micalg']?.toLowerCase(), chain: 'not-checked' };
}

function absent(reason: string, format: PecSignatureDetails['format'], top: MimeEntity): SignatureCheck {
  return { ...base(format, top), reason };
}

function notChecked(format: PecSignatureDetails['format'], top: MimeEntity): SignatureCheck {
  return { ...base(format, top), status: 'not-checked', reason: 'verification not asked for' };
}

function embeddedContent(cms: Buffer): Buffer | undefined {
  try {
    const signed = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(new Uint8Array(cms)).content });
    const content = signed.encapContentInfo.eContent;
    return content ? Buffer.from(content.getValue()) : undefined;
  } catch {
    return undefined;
  }
}

async function verify(
  cms: Buffer,
  data: Buffer | undefined,
  format: PecSignatureDetails['format'],
  top: MimeEntity,
): Promise<SignatureCheck> {
  const result = base(format, top);
  let signed: pkijs.SignedData;
  let info: pkijs.ContentInfo;
  // The common case checked with node:crypto on the DER as it came: pkijs's SignedData alone cost 40 ms
  // a receipt, and asn1js's decoding of the certificates most of what was left (docs/decisions/0032).
  // What the quick check does not vouch for goes through pkijs, which also says why it fails.
  const quick = quickCheck(cms, data);
  if (quick) return withSigner({ ...result, ...quick.details, status: 'valid' }, quick.der);
  try {
    info = pkijs.ContentInfo.fromBER(new Uint8Array(cms));
    if (info.contentType !== pkijs.ContentInfo.SIGNED_DATA) throw new Error(`content type ${info.contentType} is not signed-data`);
    signed = new pkijs.SignedData({ schema: info.content });
  } catch (error) {
    return { ...result, status: 'invalid', reason: `the signature part cannot be read: ${message(error)}` };
  }
  const signerInfo = signed.signerInfos[0];
  if (!signerInfo) return { ...result, status: 'invalid', reason: 'the signature has no signer' };
  result.digestAlgorithm = DIGESTS[signerInfo.digestAlgorithm.algorithmId] ?? signerInfo.digestAlgorithm.algorithmId;
  const time = signerInfo.signedAttrs?.attributes.find((a) => a.type === SIGNING_TIME)?.values[0] as
    asn1js.UTCTime | asn1js.GeneralizedTime | undefined;
  if (time?.toDate) result.signingTime = time.toDate().toISOString();
  let certificate: pkijs.Certificate | null | undefined;
  try {
    const outcome = await signed.verify({
      signer: 0,
      data: data ? new Uint8Array(data).buffer : undefined,
      checkChain: false,
      extendedMode: true,
    });
    certificate = outcome.signerCertificate;
    Object.assign(result, outcome.signatureVerified ? { status: 'valid' } : { status: 'invalid', reason: outcome.message });
  } catch (error) {
    certificate = error instanceof pkijs.SignedDataVerifyError ? error.signerCertificate : undefined;
    Object.assign(result, { status: 'invalid', reason: message(error) });
  }
  return certificate ? withSigner(result, certificateDer(info.content as asn1js.Sequence, certificate)) : result;
}

function withSigner(result: SignatureCheck, der: Buffer): SignatureCheck {
  try {
    result.signer = describe(der);
  } catch (error) {
    // pkijs read it, OpenSSL does not (a BER-only encoding, say): the verdict stands, the signer goes unnamed.
    result.reason = [result.reason, `the signer certificate cannot be described: ${message(error)}`].filter(Boolean).join('; ');
    return result;
  }
  if (result.signingTime) {
    const at = Date.parse(result.signingTime);
    result.certificateValidAtSigning = at >= Date.parse(result.signer.notBefore) && at <= Date.parse(result.signer.notAfter);
  }
  return result;
}

/**
 * RFC 5652 §5.4 with node:crypto for what every provider sends (issuer and serial, signed attributes,
 * RSA or ECDSA), read from the DER: the content's digest equals the signed `messageDigest`, and the
 * signature over the signed attributes (as a SET) verifies with the key of the certificate they name.
 * Returns that certificate's DER and the details when both hold, else undefined (then pkijs decides).
 */
function quickCheck(
  cms: Buffer,
  data: Buffer | undefined,
): { der: Buffer; details: Pick<SignatureCheck, 'digestAlgorithm' | 'signingTime'> } | undefined {
  try {
    const [contentType, explicit] = derChildren(derAt(cms));
    if (derOid(contentType!) !== SIGNED_DATA || explicit?.tag !== DER.CONTEXT_0) return undefined;
    const fields = derChildren(derChildren(explicit)[0]!);
    const signerInfos = fields.at(-1)!;
    if (signerInfos.tag !== DER.SET) return undefined;
    const [, sid, digestAlgorithm, signedAttrs, signatureAlgorithm, signature] = derChildren(derChildren(signerInfos)[0]!);
    if (sid?.tag !== DER.SEQUENCE || signedAttrs?.tag !== DER.CONTEXT_0 || signature?.tag !== DER.OCTET_STRING) return undefined;
    const digest = DIGESTS[derOid(derChildren(digestAlgorithm!)[0]!)];
    const content = data ?? encapsulatedContent(fields[2]!);
    if (!digest || !content || !PLAIN_SIGNATURES.has(derOid(derChildren(signatureAlgorithm!)[0]!))) return undefined;
    const attributes = new Map(
      derChildren(signedAttrs)
        .map((attribute) => derChildren(attribute) as [DerElement, DerElement])
        .map(([type, values]) => [derOid(type), values]),
    );
    const expected = derChildren(attributes.get(MESSAGE_DIGEST)!)[0];
    if (expected?.tag !== DER.OCTET_STRING || !expected.content.equals(createHash(digest).update(content).digest())) return undefined;
    const serial = derChildren(sid)[1];
    const certificates = fields.find((field) => field.tag === DER.CONTEXT_0);
    const der =
      serial && certificates
        ? signerCertificateDer(
            derChildren(certificates).map((c) => c.bytes),
            serial.content,
          )
        : undefined;
    if (!der) return undefined;
    const signed = Buffer.from(signedAttrs.bytes);
    signed[0] = DER.SET; // written as [0] IMPLICIT, signed as SET OF
    if (!verifySignature(digest, signed, certificateOf(der).publicKey, signature.content)) return undefined;
    const time = attributes.get(SIGNING_TIME);
    return { der, details: { digestAlgorithm: digest, ...(time ? { signingTime: derTime(derChildren(time)[0]!).toISOString() } : {}) } };
  } catch {
    return undefined;
  }
}

/** encapContentInfo's eContent, when it is one primitive OCTET STRING (a BER one in pieces is left to pkijs). */
function encapsulatedContent(encap: DerElement): Buffer | undefined {
  const wrapper = derChildren(encap)[1];
  const octets = wrapper?.tag === DER.CONTEXT_0 ? derChildren(wrapper)[0] : undefined;
  return octets?.tag === DER.OCTET_STRING ? octets.content : undefined;
}

/**
 * The signer certificate's bytes as they came in the CMS certificates field: re-encoding it with
 * pkijs costs more than the whole verification (15 ms for AgID-issued certificates).
 */
function certificateDer(signedData: asn1js.Sequence, certificate: pkijs.Certificate): Buffer {
  const field = signedData.valueBlock.value.find((v) => v.idBlock.tagClass === 3 && v.idBlock.tagNumber === 0) as
    asn1js.Constructed | undefined;
  const certificates = (field?.valueBlock.value ?? []).map((block) => Buffer.from(block.valueBeforeDecodeView));
  return (
    signerCertificateDer(certificates, Buffer.from(certificate.serialNumber.valueBlock.valueHexView)) ??
    Buffer.from(certificate.toSchema().toBER())
  );
}

/** The certificate (as its original bytes) with this serial number. */
function signerCertificateDer(certificates: Buffer[], serialNumber: Buffer): Buffer | undefined {
  const serial = serialNumber.toString('hex').replace(/^(00)+/, '');
  for (const der of certificates) {
    try {
      if (
        certificateOf(der)
          .serialNumber.toLowerCase()
          .replace(/^(00)+/, '') === serial
      )
        return der;
    } catch {
      // Not an X.509 certificate (an attribute certificate, say): not the signer.
    }
  }
  return undefined;
}

/**
 * Parsed certificates by their bytes. A provider signs every receipt with the same certificate, and
 * parsing it (three times a message: finding the signer, its key, its description) was the largest
 * cost of the signature check; a bounded map keeps the few a deployment sees.
 */
const certificates = new Map<string, X509Certificate>();
const CERTIFICATES_KEPT = 1_000;

function certificateOf(der: Buffer): X509Certificate {
  const key = der.toString('base64');
  let certificate = certificates.get(key);
  if (!certificate) {
    certificate = new X509Certificate(der);
    if (certificates.size >= CERTIFICATES_KEPT) certificates.clear();
    certificates.set(key, certificate);
  }
  return certificate;
}

function describe(der: Buffer): PecSignerCertificate {
  const x509 = certificateOf(der);
  const dn = (value: string) => value.split('\n').filter(Boolean).join(', ');
  return {
    subject: dn(x509.subject),
    issuer: dn(x509.issuer),
    serialNumber: x509.serialNumber.toLowerCase(),
    notBefore: new Date(x509.validFrom).toISOString(),
    notAfter: new Date(x509.validTo).toISOString(),
    emailAddresses: (x509.subjectAltName ?? '')
      .split(/,\s*/)
      .filter((entry) => entry.startsWith('email:'))
      .map((entry) => entry.slice('email:'.length)),
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
