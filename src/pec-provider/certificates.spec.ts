import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProviderCertificates, serialNumber } from './certificates.js';

describe('the local provider’s certificates', () => {
  it('writes serials in their shortest positive form, whatever the random bytes', () => {
    expect([...new Uint8Array(serialNumber(Buffer.from([0x00, 0x05, 0xaa]))).values()]).toEqual([0x01, 0x05, 0xaa]);
    expect([...new Uint8Array(serialNumber(Buffer.from([0x80, 0x7f]))).values()]).toEqual([0x01, 0x7f]);
    expect([...new Uint8Array(serialNumber(Buffer.from([0xc3, 0x00]))).values()]).toEqual([0x43, 0x00]);
  });

  it('issues certificates OpenSSL reads, and makes again a stored one it cannot read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pecflow-certs-'));
    try {
      const signer = await new ProviderCertificates(dir).forDomain('pec.example.test');
      expect(new X509Certificate(signer.certificatePem).subjectAltName).toBe('email:posta-certificata@pec.example.test');

      // A certificate whose serial has a padding byte (what a CA made before the fix could store).
      const stored = await readFile(join(dir, 'pec.example.test.pem'), 'utf8');
      const der = Buffer.from(stored.split('-----BEGIN CERTIFICATE-----')[1]!.split('-----END')[0]!.replace(/\s+/g, ''), 'base64');
      const serialAt = der.indexOf(Buffer.from([0x02, 0x10])); // INTEGER, 16 bytes: the serial
      const padded = Buffer.concat([der.subarray(0, serialAt), Buffer.from([0x02, 0x11, 0x00, 0x01]), der.subarray(serialAt + 3)]);
      const outer = padded.readUInt16BE(2) + 1; // SEQUENCE 30 82 LL LL, one byte longer
      const tbs = padded.readUInt16BE(6) + 1;
      padded.writeUInt16BE(outer, 2);
      padded.writeUInt16BE(tbs, 6);
      expect(() => new X509Certificate(padded)).toThrow();
      const pem = `-----BEGIN CERTIFICATE-----\n${padded.toString('base64')}\n-----END CERTIFICATE-----\n`;
      await writeFile(join(dir, 'pec.example.test.pem'), stored.split('-----BEGIN CERTIFICATE-----')[0] + pem);

      const again = await new ProviderCertificates(dir).forDomain('pec.example.test');
      expect(new X509Certificate(again.certificatePem).serialNumber).not.toBe(new X509Certificate(signer.certificatePem).serialNumber);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
