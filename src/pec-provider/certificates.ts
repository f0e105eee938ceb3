import { randomBytes, X509Certificate } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/** A key and the certificate that goes with it, ready for pkijs. */
export interface SigningIdentity {
  certificate: pkijs.Certificate;
  privateKey: CryptoKey;
  /** The certificate in PEM, e.g. to hand the test CA to a verifier. */
  certificatePem: string;
}

const ALGORITHM = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
const CERT_YEARS = 10;

/**
 * The local provider's test PKI: one CA ("pecflow PEC test CA") and one signing certificate per
 * local PEC domain, as real gestori have (CN "Posta Certificata <gestore>", SAN
 * posta-certificata@<domain>, pec-protocol.md §4). Generated on first use into `dir`, one file per
 * identity holding key and certificate, mode 0600. Files appear atomically (link of a complete temp
 * file), so two provider processes starting together end up with the same identity.
 */
export class ProviderCertificates {
  private readonly cache = new Map<string, Promise<SigningIdentity>>();

  constructor(private readonly dir: string) {}

  ca(): Promise<SigningIdentity> {
    return this.memo('ca', () => this.loadOrCreate('ca.pem', () => issue({ commonName: 'pecflow PEC test CA' })));
  }

  /** The signer of everything the provider emits for `domain`. */
  forDomain(domain: string): Promise<SigningIdentity> {
    const name = domain.toLowerCase();
    return this.memo(name, async () => {
      const ca = await this.ca();
      return this.loadOrCreate(`${name}.pem`, () =>
        issue({ commonName: `Posta Certificata ${name}`, email: `posta-certificata@${name}`, issuer: ca }),
      );
    });
  }

  private memo(key: string, make: () => Promise<SigningIdentity>): Promise<SigningIdentity> {
    let pending = this.cache.get(key);
    if (!pending) {
      pending = make();
      pending.catch(() => this.cache.delete(key));
      this.cache.set(key, pending);
    }
    return pending;
  }

  private async loadOrCreate(file: string, create: () => Promise<{ pem: string }>): Promise<SigningIdentity> {
    const path = join(this.dir, file);
    try {
      return await load(await readFile(path, 'utf8'));
    } catch (error) {
      // An identity made before serials were always minimal may not open: it is made again.
      if (error instanceof UnreadableCertificate) await unlink(path).catch(() => undefined);
      else if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const { pem } = await create();
    const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temp, pem, { mode: 0o600, flag: 'wx' });
    try {
      await link(temp, path);
    } catch (error) {
      // Another process won the race: use its identity, not ours.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await unlink(temp);
    }
    return load(await readFile(path, 'utf8'));
  }
}

async function issue(spec: { commonName: string; email?: string; issuer?: SigningIdentity }): Promise<{ pem: string }> {
  const keys = await crypto.subtle.generateKey({ ...ALGORITHM, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }, true, [
    'sign',
    'verify',
  ]);
  const certificate = new pkijs.Certificate();
  certificate.version = 2;
  certificate.serialNumber = new asn1js.Integer({ valueHex: serialNumber(randomBytes(16)) });
  certificate.subject.typesAndValues.push(
    new pkijs.AttributeTypeAndValue({ type: '2.5.4.10', value: new asn1js.Utf8String({ value: 'pecflow (test only)' }) }),
    new pkijs.AttributeTypeAndValue({ type: '2.5.4.3', value: new asn1js.Utf8String({ value: spec.commonName }) }),
  );
  certificate.issuer = spec.issuer ? spec.issuer.certificate.subject : certificate.subject;
  const now = new Date();
  certificate.notBefore.value = new Date(now.getTime() - 24 * 3600_000);
  certificate.notAfter.value = new Date(now.getTime() + CERT_YEARS * 365 * 24 * 3600_000);
  const isCa = !spec.issuer;
  certificate.extensions = [
    new pkijs.Extension({
      extnID: '2.5.29.19',
      critical: true,
      extnValue: new pkijs.BasicConstraints({ cA: isCa }).toSchema().toBER(false),
      parsedValue: new pkijs.BasicConstraints({ cA: isCa }),
    }),
    new pkijs.Extension({
      extnID: '2.5.29.15',
      critical: true,
      // keyCertSign + cRLSign for the CA; digitalSignature + nonRepudiation for a signer.
      extnValue: new asn1js.BitString({ valueHex: new Uint8Array([isCa ? 0x06 : 0xc0]).buffer, unusedBits: 1 }).toBER(false),
    }),
  ];
  if (spec.email) {
    certificate.extensions.push(
      new pkijs.Extension({
        extnID: '2.5.29.17',
        critical: false,
        extnValue: new pkijs.GeneralNames({ names: [new pkijs.GeneralName({ type: 1, value: spec.email })] }).toSchema().toBER(false),
      }),
      // extendedKeyUsage: emailProtection (S/MIME).
      new pkijs.Extension({
        extnID: '2.5.29.37',
        critical: false,
        extnValue: new pkijs.ExtKeyUsage({ keyPurposes: ['1.3.6.1.5.5.7.3.4'] }).toSchema().toBER(false),
      }),
    );
  }
  await certificate.subjectPublicKeyInfo.importKey(keys.publicKey);
  await certificate.sign(spec.issuer?.privateKey ?? keys.privateKey, 'SHA-256');
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { pem: pemBlock('PRIVATE KEY', pkcs8) + pemBlock('CERTIFICATE', Buffer.from(certificate.toSchema().toBER(false))) };
}

/** A stored certificate OpenSSL (and so every verifier on node:crypto) cannot read. */
class UnreadableCertificate extends Error {
  constructor(cause: unknown) {
    super('the stored provider certificate cannot be read', { cause });
  }
}

async function load(pem: string): Promise<SigningIdentity> {
  const key = pemBody(pem, 'PRIVATE KEY');
  const cert = pemBody(pem, 'CERTIFICATE');
  const privateKey = await crypto.subtle.importKey('pkcs8', new Uint8Array(key), ALGORITHM, false, ['sign']);
  try {
    new X509Certificate(cert);
  } catch (error) {
    throw new UnreadableCertificate(error);
  }
  const certificate = pkijs.Certificate.fromBER(new Uint8Array(cert));
  return { certificate, privateKey, certificatePem: pemBlock('CERTIFICATE', cert) };
}

function pemBlock(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function pemBody(pem: string, label: string): Buffer {
  const match = new RegExp(`-----BEGIN ${label}-----([^-]+)-----END ${label}-----`).exec(pem);
  if (!match?.[1]) throw new Error(`no ${label} block in the provider identity file`);
  return Buffer.from(match[1].replace(/\s+/g, ''), 'base64');
}

/**
 * Random bytes as a DER INTEGER serial: positive (top bit clear) and in its shortest form (a first
 * byte 0x00 before one below 0x80 is padding, which OpenSSL refuses: a certificate it cannot read
 * made every receipt signed with it unreadable, one CA in 256).
 */
export function serialNumber(bytes: Buffer): ArrayBuffer {
  bytes[0] = bytes[0]! & 0x7f || 0x01;
  return new Uint8Array(bytes).buffer;
}
