import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDaticert } from '../../src/pec/daticert.js';
import { parsePec } from '../../src/pec/pec-parser.js';
import type { PecKind, PecMeaning, PecResult } from '../../src/pec/pec-result.js';

/**
 * Real PEC messages (Aruba, Sogei, anonymised Aruba-format) and the AgID REM examples from the
 * shared corpus (see shared/corpus/pec/SOURCES.md), read where they lie at run time: several are
 * AGPL/LGPL and are not copied into this repository. Without ../shared these tests are not registered,
 * and say so. The expected kind and signature outcome of each file are the ones SOURCES.md
 * verified by hand ("sig": ok → valid, BAD → invalid, broken → invalid or absent).
 */
const CORPUS = path.resolve(import.meta.dirname, '../../../shared/corpus/pec');
const present = existsSync(CORPUS);
const MESSAGE_FOLDERS = [
  'oca-l10n-italy',
  'seedoo-core',
  'java-pec-parser',
  'go-pec',
  'java-pec-parser-fabioportieri',
  'rem-agid-gdl-examples',
];

type Signature = PecResult['signature'];
/** `pecKind`: what a REM message means in PEC terms (`rem.pecKind`), null for an event without a PEC counterpart. */
const EXPECTED: Record<string, { kind: PecKind; pecKind?: PecMeaning | null; signature: Signature; receiptType?: string }> = {
  'oca-l10n-italy/ACCETTAZIONE_ IT03339130126_00009.xml.txt': { kind: 'accettazione', signature: 'valid' },
  'oca-l10n-italy/CONSEGNA_ IT03339130126_00009.xml.txt': { kind: 'avvenuta-consegna', signature: 'valid', receiptType: 'completa' },
  'oca-l10n-italy/POSTA CERTIFICATA_ Invio File 7339338.txt': { kind: 'posta-certificata', signature: 'invalid', receiptType: 'breve' },
  'oca-l10n-italy/POSTA CERTIFICATA_ Invio File 7339338 (base64).txt': {
    kind: 'posta-certificata',
    signature: 'invalid',
    receiptType: 'breve',
  },
  'oca-l10n-italy/POSTA CERTIFICATA_ Ricevuta di consegna 6782414.txt': {
    kind: 'posta-certificata',
    signature: 'invalid',
    receiptType: 'breve',
  },
  'oca-l10n-italy/POSTA CERTIFICATA_mancata_consegna.txt': { kind: 'posta-certificata', signature: 'invalid', receiptType: 'breve' },
  'oca-l10n-italy/message1': { kind: 'posta-certificata', signature: 'valid', receiptType: 'completa' },
  'oca-l10n-italy/message2': { kind: 'posta-certificata', signature: 'valid', receiptType: 'completa' },
  'oca-l10n-italy/message2_accettazione': { kind: 'accettazione', signature: 'valid' },
  'oca-l10n-italy/message2_consegna': { kind: 'avvenuta-consegna', signature: 'valid', receiptType: 'completa' },
  'seedoo-core/accettazione.eml': { kind: 'accettazione', signature: 'valid' },
  'seedoo-core/conferma.eml': { kind: 'avvenuta-consegna', signature: 'valid', receiptType: 'completa' },
  'seedoo-core/mancata_consegna.eml': { kind: 'errore-consegna', signature: 'valid' },
  'java-pec-parser/accettazione.eml': { kind: 'accettazione', signature: 'absent' },
  'java-pec-parser/consegna.eml': { kind: 'errore-consegna', signature: 'absent' },
  'go-pec/accettazione.eml': { kind: 'accettazione', signature: 'invalid' },
  'go-pec/consegna.eml': { kind: 'errore-consegna', signature: 'invalid' },
  'go-pec/email_2.eml': { kind: 'avvenuta-consegna', signature: 'invalid', receiptType: 'completa' },
  'go-pec/email_3.eml': { kind: 'posta-certificata', signature: 'invalid', receiptType: 'completa' },
  'java-pec-parser-fabioportieri/[XDCR] xdcr_2022_02_00583.txt.eml': {
    kind: 'posta-certificata',
    signature: 'valid',
    receiptType: 'completa',
  },
  'rem-agid-gdl-examples/REM_Dispatch.RA01.eml': { kind: 'rem', pecKind: 'posta-certificata', signature: 'valid' },
  'rem-agid-gdl-examples/REM_SubmissionAcceptance.RA01.eml': { kind: 'rem', pecKind: 'accettazione', signature: 'valid' },
  'rem-agid-gdl-examples/REM_SubmissionRejection.RA02.eml': { kind: 'rem', pecKind: 'non-accettazione', signature: 'valid' },
  'rem-agid-gdl-examples/REM_RelayAcceptance.RB01.eml': { kind: 'rem', pecKind: 'presa-in-carico', signature: 'valid' },
  'rem-agid-gdl-examples/REM_RelayFailure.RB02.eml': { kind: 'rem', pecKind: 'errore-consegna', signature: 'valid' },
  'rem-agid-gdl-examples/REM_ContentConsignment1.RD01.eml': { kind: 'rem', pecKind: 'avvenuta-consegna', signature: 'valid' },
  'rem-agid-gdl-examples/REM_ContentConsignmentFailure1.RD03.eml': { kind: 'rem', pecKind: 'errore-consegna', signature: 'valid' },
  'rem-agid-gdl-examples/REM_ContentConsignmentFailure1.RD04.eml': { kind: 'rem', pecKind: 'errore-consegna', signature: 'valid' },
  'rem-agid-gdl-examples/REM_EXTERNAL.RF04.eml': { kind: 'rem', pecKind: 'anomalia', signature: 'valid' },
  // Relayed to a non-ERDS address: no PEC counterpart, so no pecKind (and flagged).
  'rem-agid-gdl-examples/REM_RelayToNonERDS.RF01.eml': { kind: 'rem', pecKind: null, signature: 'valid' },
};

const messages = (): string[] =>
  MESSAGE_FOLDERS.flatMap((folder) =>
    readdirSync(path.join(CORPUS, folder))
      .filter((name) => !/\.(xml|md)$|README/i.test(name))
      .map((name) => `${folder}/${name}`),
  );
const parse = async (name: string) => parsePec(await readFile(path.join(CORPUS, name)));

if (!present) {
  describe('the shared PEC corpus', () => {
    it('is absent, so the real PEC and REM message tests below are not registered', () => {
      process.stderr.write(
        `\npec-corpus: ${CORPUS} not found (no ../shared beside the repository): real PEC and REM message tests not run\n`,
      );
    });
  });
}

// Registered only when the corpus is there: without it the test above says so, and nothing is left skipped.
if (present)
  describe('real PEC and REM messages from the shared corpus', () => {
    it('lists every message of the corpus in this test, so a new file needs a verified expectation', () => {
      expect(messages().sort()).toEqual(Object.keys(EXPECTED).sort());
    });

    it.each(Object.entries(EXPECTED))('%s', async (name, expected) => {
      const result = await parse(name);
      expect(result.kind).toBe(expected.kind);
      if (expected.kind === 'rem') expect(result.rem?.pecKind).toBe(expected.pecKind);
      if (expected.pecKind === null) expect(result.flags.length).toBeGreaterThan(0);
      expect(result.signature).toBe(expected.signature);
      expect(result.receiptType).toBe(expected.receiptType ?? null);
      // Every real message names what it refers to, and the provider's id of it.
      expect(result.referencesMessageId).toBeTruthy();
      expect(result.providerId).toBeTruthy();
      if (expected.signature === 'valid') {
        expect(result.signatureDetails.signer?.subject).toMatch(/CN=/);
        expect(result.signatureDetails.signingTime).toMatch(/^\d{4}-/);
      }
    });

    it('verifies the providers signatures and names them: Aruba by AgID CA1 (2021), by DigitPA CA1 (2014)', async () => {
      const aruba2021 = await parse('seedoo-core/accettazione.eml');
      expect(aruba2021.signature).toBe('valid');
      expect(aruba2021.signatureDetails).toMatchObject({
        signerMatchesFrom: true,
        certificateValidAtSigning: true,
        signingTime: '2021-12-14T13:36:08.000Z',
        signer: { subject: expect.stringContaining('CN=Posta Certificata ARUBA PEC'), issuer: expect.stringContaining('CN=AgID CA1') },
      });
      const aruba2014 = await parse('oca-l10n-italy/message2_accettazione');
      expect(aruba2014.signatureDetails.signer?.issuer).toContain('DigitPA CA1');
      // The Sogei buste were edited after signing: the digest no longer matches.
      const sogei = await parse('oca-l10n-italy/POSTA CERTIFICATA_ Invio File 7339338.txt');
      expect(sogei.signatureDetails.reason).toMatch(/digest/i);
      expect(sogei.signatureDetails.signer?.emailAddresses).toEqual(['posta-certificata@pcert.sogei.it']);
    });

    it('ties the Aruba accettazione, consegna and mancata consegna to the message sent and to the recipient', async () => {
      const accepted = await parse('seedoo-core/accettazione.eml');
      const delivered = await parse('seedoo-core/conferma.eml');
      expect(accepted).toMatchObject({
        referencesMessageId: 'R43XS7$8A2B712B1EC45527B69E94AB60B8CA07@pec.it',
        providerId: 'opec296.20211214143608.11149.382.1.69@pec.aruba.it',
        recipient: null,
      });
      expect(accepted.recipients).toEqual([
        { address: 'flosslabtest@legalmail.it', type: 'certificato' },
        { address: 'test01@pec.flosslab.it', type: 'certificato' },
      ]);
      expect(delivered.referencesMessageId).toBe(accepted.referencesMessageId);
      expect(delivered.providerId).toBe(accepted.providerId);
      expect(accepted.recipients.map((r) => r.address)).toContain(delivered.recipient);
      // The receipt's own Message-ID is not the identificativo (Aruba adds a field).
      expect(delivered.messageId).not.toBe(delivered.providerId);

      const failed = await parse('seedoo-core/mancata_consegna.eml');
      expect(failed).toMatchObject({
        kind: 'errore-consegna',
        error: 'no-dest',
        errorDetails: { status: '5.1.1', extended: '5.1.1 - Aruba Pec S.p.A. - indirizzo non valido' },
        dates: { certified: expect.stringMatching(/\+01:00$/) },
        provider: { name: 'ARUBA PEC S.p.A.', address: 'posta-certificata@pec.aruba.it' },
      });
      expect(failed.recipient).toBeTruthy();
    });

    it('keeps the original of a busta with its Message-ID rewritten to the identificativo, and flags what is odd', async () => {
      const busta = await parse('oca-l10n-italy/CONSEGNA_ IT03339130126_00009.xml.txt');
      expect(busta.original?.messageId).toBe(busta.providerId);
      expect(busta.original?.referenceMessageId).toBe(busta.referencesMessageId);
      // A Sogei busta whose daticert.xml was removed upstream.
      expect((await parse('oca-l10n-italy/POSTA CERTIFICATA_mancata_consegna.txt')).flags).toContain('daticert-missing');
      // The anonymised fakepec notice: the two references disagree, and the message is cut short.
      const fakepec = await parse('java-pec-parser/consegna.eml');
      expect(fakepec.flags).toEqual(
        expect.arrayContaining([expect.stringMatching(/^reference-mismatch:/), expect.stringMatching(/^mime-multipart-unterminated:/)]),
      );
    });

    it('maps the REM evidence: reason codes, the 24 h timeout, the original sender', async () => {
      const timeout = await parse('rem-agid-gdl-examples/REM_ContentConsignmentFailure1.RD03.eml');
      expect(timeout).toMatchObject({
        kind: 'rem',
        protocol: 'rem',
        error: 'altro',
        errorDetails: { status: 'RD03', timeout: true },
        rem: { pecKind: 'errore-consegna', reasonCode: 'RD03', evidence: { signature: 'not-checked' } },
      });
      expect((await parse('rem-agid-gdl-examples/REM_SubmissionAcceptance.RA01.eml')).referencesMessageId).toBe(
        '30be01d30072$242ddc3f$f9b72bf0$@it',
      );
      const dispatch = await parse('rem-agid-gdl-examples/REM_Dispatch.RA01.eml');
      expect(dispatch).toMatchObject({ sender: 'sender@sender-own-domain-only-for-test.it', original: { part: 'AttachedMimeMessage' } });
    });

    it('reads every extracted daticert.xml without a flag', async () => {
      const folder = path.join(CORPUS, 'daticert-extracted');
      for (const name of readdirSync(folder)) {
        const flags: string[] = [];
        const daticert = parseDaticert(await readFile(path.join(folder, name)), flags);
        expect({ name, flags }).toEqual({ name, flags: [] });
        expect(daticert?.identificativo).toBeTruthy();
        expect(daticert?.data).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
      }
    });
  });
