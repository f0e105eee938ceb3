import { daticertPart, daticertXml, newSigner, pecMessage, textPart, type Signer } from '../../test/support/pec-messages.js';
import { parsePec } from './pec-parser.js';

const receipt = (signer: Signer | undefined, extra: Partial<Parameters<typeof pecMessage>[0]> = {}) =>
  pecMessage({
    headers: ['X-Ricevuta: accettazione'],
    parts: [textPart('Ricevuta di accettazione'), daticertPart(daticertXml({ tipo: 'accettazione' }))],
    signer,
    ...extra,
  });

describe('S/MIME signature of a provider message', () => {
  let signer: Signer;
  beforeAll(async () => {
    signer = await newSigner();
  });

  it('is valid over the exact signed bytes and names the signer, its serial and the signing time', async () => {
    const result = await parsePec(await receipt(signer));
    expect(result.signature).toBe('valid');
    expect(result.signatureDetails).toMatchObject({
      format: 'multipart/signed',
      micalg: 'sha-256',
      digestAlgorithm: 'sha256',
      signingTime: '2026-11-26T09:00:05.000Z',
      signerMatchesFrom: true,
      certificateValidAtSigning: true,
      chain: 'not-checked',
      signer: {
        subject: 'CN=Posta Certificata Provider',
        issuer: 'CN=Posta Certificata Provider',
        serialNumber: '2a2b',
        emailAddresses: ['posta-certificata@pec.provider.test'],
      },
    });
    expect(result.flags).toEqual([]);
  });

  it('still reads a receipt whose signer certificate OpenSSL refuses (a padded serial): classified, verified, the signer unnamed', async () => {
    const padded = await newSigner(undefined, undefined, [0x00, 0x2a]);
    const result = await parsePec(await receipt(padded));
    expect(result).toMatchObject({ kind: 'accettazione', signature: 'valid' });
    expect(result.signatureDetails.signer).toBeUndefined();
    expect(result.signatureDetails.reason).toMatch(/^the signer certificate cannot be described: /);
  });

  it('still verifies when the message was stored with bare LF line ends (canonical CRLF is what was signed)', async () => {
    const result = await parsePec(await receipt(signer, { lf: true }));
    expect(result.signature).toBe('valid');
    expect(result.kind).toBe('accettazione');
  });

  it('is invalid, with the reason, when one byte of the signed content changed', async () => {
    const result = await parsePec(
      await receipt(signer, { tamper: (c) => c.replace('Ricevuta di accettazione', 'Ricevuta di accettaziona') }),
    );
    expect(result.signature).toBe('invalid');
    expect(result.signatureDetails.reason).toMatch(/digest/i);
    // The signer is still reported: who claims to have signed is evidence too.
    expect(result.signatureDetails.signer?.emailAddresses).toEqual(['posta-certificata@pec.provider.test']);
    expect(result.flags).toContain('signature-invalid');
    expect(result.kind).toBe('accettazione');
  });

  it('reports a signer whose address is not the From address', async () => {
    const result = await parsePec(await receipt(signer, { from: 'posta-certificata@altro.test' }));
    expect(result).toMatchObject({ signature: 'valid', signatureDetails: { signerMatchesFrom: false } });
  });

  it('reads the opaque application/pkcs7-mime form: verifies it and parses the content inside', async () => {
    const result = await parsePec(await receipt(signer, { opaque: true }));
    expect(result).toMatchObject({ signature: 'valid', signatureDetails: { format: 'application/pkcs7-mime' } });
    expect(result.kind).toBe('accettazione');
    expect(result.providerId).toBeTruthy();
  });

  it('is absent for an unsigned message, and a PEC message without signature is flagged', async () => {
    const result = await parsePec(await receipt(undefined));
    expect(result).toMatchObject({ signature: 'absent', signatureDetails: { reason: 'the message is not S/MIME signed' } });
    expect(result.flags).toContain('signature-absent');
  });

  it('is absent when the smime.p7s part was cut off, and invalid when it is a placeholder', async () => {
    const signed = (await receipt(signer)).toString('latin1');
    const truncated = signed.slice(0, signed.indexOf('\r\n--signed-boundary-91c2\r\nContent-Type: application/pkcs7-signature'));
    const cut = await parsePec(Buffer.from(truncated, 'latin1'));
    expect(cut.signature).toBe('absent');
    expect(cut.signatureDetails.reason).toMatch(/without its signature part/);
    expect(cut.flags).toEqual(expect.arrayContaining(['signature-absent', 'mime-multipart-unterminated:signed-boundary-91c2']));
    expect(cut.kind).toBe('accettazione');

    const placeholder = signed.replace(/(smime\.p7s"\r\n\r\n)[\s\S]*?(\r\n\r\n--signed-boundary-91c2--)/, '$1MII...njA==$2');
    const fake = await parsePec(Buffer.from(placeholder, 'latin1'));
    expect(fake.signature).toBe('invalid');
    expect(fake.signatureDetails.reason).toMatch(/cannot be read/);
  });

  it('can be left unchecked when the caller asks, without a flag, the rest of the reading unchanged', async () => {
    const raw = await receipt(signer, { tamper: (c) => c.replace('Ricevuta di accettazione', 'Ricevuta di accettaziona') });
    const result = await parsePec(raw, { verifySignature: false });
    expect(result).toMatchObject({ signature: 'not-checked', signatureDetails: { format: 'multipart/signed', micalg: 'sha-256' } });
    expect(result.signatureDetails.signer).toBeUndefined();
    expect(result.flags).toEqual([]);
    const { signature: _checked, signatureDetails: _checkedDetails, ...checked } = await parsePec(raw);
    const { signature: _unchecked, signatureDetails: _uncheckedDetails, ...unchecked } = result;
    expect(unchecked).toEqual({ ...checked, flags: [] });
  });
});
