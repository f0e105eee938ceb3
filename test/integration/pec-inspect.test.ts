import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli/main.js');
const FIXTURES = path.join(ROOT, 'test/fixtures/pec');

/** `pecflow pec inspect` as a user runs it: the built CLI, no database or configuration needed. */
function inspect(...args: string[]) {
  if (!existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` (npm test does) before these tests');
  // No DATABASE_URL or other settings: reading one file must not need them.
  return spawnSync(process.execPath, [CLI, 'pec', 'inspect', ...args], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH } });
}

/** The contract: these fields are always there, null when they do not apply. */
const CONTRACT = ['kind', 'receiptType', 'error', 'referencesMessageId', 'recipient', 'providerId', 'signature'];

function inspectJson(file: string) {
  const run = inspect(file);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const result = JSON.parse(run.stdout) as Record<string, unknown>;
  expect(Object.keys(result)).toEqual(expect.arrayContaining(CONTRACT));
  return result;
}

describe('pecflow pec inspect <file.eml>', () => {
  it.each([
    [
      // A real Aruba busta whose signature still holds.
      'aruba-2023-busta-trasporto.eml',
      {
        kind: 'posta-certificata',
        receiptType: 'completa',
        error: null,
        referencesMessageId: 'RZLFE1$D00882600B2330420CAE7B3643F81CDD@pec.datamanagementitalia.it',
        recipient: null,
        providerId: 'opec21010.20230818173714.75133.134.1.56@pec.aruba.it',
        signature: 'valid',
      },
    ],
    [
      // Truncated: no smime.p7s, no closing boundary; X-Riferimento-Message-ID wins over the daticert msgid.
      'fakepec-2024-mancata-consegna-truncated.eml',
      {
        kind: 'errore-consegna',
        receiptType: null,
        error: 'no-dest',
        referencesMessageId: 'SN05IE$951DEC16C1CFD3E4FD8FF1B1D24A99AE@pec.it',
        recipient: 'rec@fakepec.it',
        providerId: 'opec210312.20241115182038.288127.606.1.53@fakepec.it',
        signature: 'absent',
      },
    ],
    [
      // Anonymised: the anonymisation broke the signature.
      'example-2021-consegna-sha256.eml',
      {
        kind: 'avvenuta-consegna',
        receiptType: 'completa',
        error: null,
        referencesMessageId: 'CZPXCJRZKQDRVYXFAZYUIAWNACDAAHEVAEXAKN@example.com',
        recipient: 'example.example.com',
        providerId: 'CZPXCJRZKQDRVYXFAZYUIAWNACDAAHEVAEXAKN@example.com',
        signature: 'invalid',
      },
    ],
  ])('%s: the contract fields', (file, contract) => {
    const result = inspectJson(path.join(FIXTURES, file));
    expect(result).toMatchObject(contract);
  });

  it('prints the evidence beside the contract: sender, provider, original, signer, flags', () => {
    const run = inspect(path.join(FIXTURES, 'aruba-2023-busta-trasporto.eml'));
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({
      protocol: 'pec',
      errorDetails: null,
      sender: 'sviluppo@pec.datamanagementitalia.it',
      provider: { name: 'ARUBA PEC S.p.A.', address: 'posta-certificata@pec.aruba.it' },
      original: { part: 'postacert.eml', subject: '[XDCR] xdcr_2022_02_00583.txt' },
      signatureDetails: {
        signerMatchesFrom: true,
        signer: { issuer: expect.stringContaining('CN=AgID CA1'), emailAddresses: ['posta-certificata@pec.aruba.it'] },
      },
      flags: [],
    });
    expect(result.original.attachments).toEqual([expect.objectContaining({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/) })]);
    expect(run.stdout).toMatch(/^\{\n {2}"kind"/);

    const truncated = JSON.parse(inspect(path.join(FIXTURES, 'fakepec-2024-mancata-consegna-truncated.eml')).stdout);
    expect(truncated.errorDetails).toEqual({ extended: '5.1.1 - FAKE Pec S.p.A. - indirizzo non valido', status: '5.1.1' });
    expect(truncated.flags).toEqual(expect.arrayContaining(['signature-absent', expect.stringMatching(/^reference-mismatch:/)]));
    const anonymised = JSON.parse(inspect(path.join(FIXTURES, 'example-2021-consegna-sha256.eml')).stdout);
    expect(anonymised.signatureDetails).toMatchObject({ micalg: 'sha-256', reason: expect.stringContaining('cannot be read') });
    expect(anonymised.original.attachments).toHaveLength(2);
  });

  it('exits 0 for a readable file that is not PEC, or not an e-mail at all', () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'pec-inspect-'));
    try {
      const ordinary = path.join(folder, 'ordinary.eml');
      writeFileSync(ordinary, 'From: a@example.test\r\nTo: b@example.test\r\nSubject: ACCETTAZIONE: preventivo\r\n\r\nciao\r\n');
      expect(inspectJson(ordinary)).toMatchObject({
        kind: 'not-pec',
        receiptType: null,
        error: null,
        referencesMessageId: null,
        recipient: null,
        providerId: null,
        signature: 'absent',
      });
      const noise = path.join(folder, 'noise.bin');
      writeFileSync(noise, Buffer.from([0x00, 0xff, 0x13, 0x37]));
      const result = inspectJson(noise);
      expect(result).toMatchObject({ kind: 'not-pec', signature: 'absent' });
      expect(result['flags']).toContain('not-a-mime-message');
    } finally {
      rmSync(folder, { recursive: true });
    }
  });

  it('exits non-zero with a clear message for a missing file, and with the usage when the file is not given', () => {
    const missing = inspect(path.join(FIXTURES, 'nessuno.eml'));
    expect(missing.status).toBe(66);
    expect(missing.stderr).toContain(`pec inspect: cannot read ${path.join(FIXTURES, 'nessuno.eml')}: no such file`);
    expect(missing.stdout).toBe('');

    const directory = inspect(FIXTURES);
    expect(directory.status).toBe(66);
    expect(directory.stderr).toMatch(/pec inspect: cannot read .*: EISDIR/);

    const usage = inspect();
    expect(usage.status).toBe(64);
    expect(usage.stderr).toContain('pec inspect <file.eml>');
  });
});
