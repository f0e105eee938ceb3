import {
  SENT_ID,
  messagePart,
  newSigner,
  originalMessage,
  pecMessage,
  remEvidencePart,
  remHeaders,
  textPart,
  type Signer,
} from '../../test/support/pec-messages.js';
import { parsePec } from './pec-parser.js';

let signer: Signer;
beforeAll(async () => {
  signer = await newSigner('rem-service@rems.test');
});

const intro = { ...textPart('REM introduction'), headers: ['REM-Section-Type: rem_message/introduction', ...textPart('').headers] };

async function rem(
  type: 'dispatch' | 'receipt',
  event: string,
  reason: [string, string, string],
  recipients: string[],
  extra: string[] = [],
) {
  const [uri, code, text] = reason;
  return parsePec(
    await pecMessage({
      from: '<rem-service@rems.test>',
      subject: `REM ${event}: Avviso di pagamento n. 42`,
      headers: [...remHeaders(type, event, uri), ...extra],
      parts: [intro, remEvidencePart(event, { code: `http://uri.etsi.org/19522/EventReason/${uri}`, details: [code, text] }, recipients)],
      signer,
    }),
  );
}

describe('REM adapter (ETSI EN 319 532, AgID Policy-IT)', () => {
  it('SubmissionAcceptance is an acceptance, correlated by REM-UAMessageIdentifier, with the evidence read', async () => {
    const result = await rem(
      'receipt',
      'SubmissionAcceptance',
      ['MessageAccepted', 'RA01', 'Message accepted'],
      ['a@rem.cliente.test', 'b@rem.cliente.test'],
    );
    expect(result).toMatchObject({
      kind: 'rem',
      protocol: 'rem',
      referencesMessageId: SENT_ID,
      providerId: 'MSG-1.rem-service@rems.test',
      recipient: null,
      receiptType: null,
      error: null,
      sender: 'ufficio@rem.demo.test',
      dates: { certified: '2026-11-26T09:00:05Z' },
      signature: 'valid',
      signatureDetails: { signerMatchesFrom: true },
      rem: {
        pecKind: 'accettazione',
        messageType: 'receipt',
        event: 'SubmissionAcceptance',
        reason: 'MessageAccepted',
        reasonCode: 'RA01',
        evidenceId: 'EV-1.rem-service@rems.test',
        uaMessageIdentifier: SENT_ID,
        applicablePolicies: ['http://uri.etsi.org/19532/v1#/REMbaseline', 'https://eidas.agid.gov.it/REM/rem-policy-it'],
        metadataVersion: 'EN31953203V010201',
        evidence: {
          part: 'SubmissionAcceptance.xml',
          eventId: 'http://uri.etsi.org/19522/Event/SubmissionAcceptance',
          senderIdentifier: 'ufficio@rem.demo.test',
          recipientIdentifiers: ['a@rem.cliente.test', 'b@rem.cliente.test'],
          signature: 'not-checked',
        },
      },
    });
    expect(result.flags).toEqual([]);
  });

  it.each([
    ['SubmissionRejection', 'RA02', 'non-accettazione', 'altro', undefined],
    ['SubmissionRejection', 'RA03', 'non-accettazione', 'virus', undefined],
    ['ContentConsignmentFailure', 'RD03', 'errore-consegna', 'altro', true],
    ['ContentConsignmentFailure', 'RD04', 'errore-consegna', 'altro', undefined],
    ['RelayFailure', 'RB22', 'errore-consegna', 'altro', true],
  ])('%s %s is %s (%s)', async (event, code, pecKind, errorCode, timeout) => {
    const result = await rem('receipt', event, ['Reason', code, 'Spiegazione'], ['a@rem.cliente.test']);
    expect(result).toMatchObject({
      kind: 'rem',
      error: errorCode,
      errorDetails: { status: code, extended: 'Spiegazione' },
      rem: { pecKind, reasonCode: code },
    });
    expect(result.errorDetails?.timeout).toBe(timeout);
    // A non-accettazione is about the message, not one recipient.
    expect(result.recipient).toBe(pecKind === 'errore-consegna' ? 'a@rem.cliente.test' : null);
  });

  it('RelayAcceptance and ContentConsignment: presa in carico and avvenuta consegna, the latter for its one recipient', async () => {
    expect((await rem('receipt', 'RelayAcceptance', ['MessageAccepted', 'RB01', 'ok'], ['a@rem.cliente.test'])).rem?.pecKind).toBe(
      'presa-in-carico',
    );
    const delivered = await rem('receipt', 'ContentConsignment', ['Consigned', 'RD01', 'ok'], ['a@rem.cliente.test']);
    expect(delivered).toMatchObject({ kind: 'rem', rem: { pecKind: 'avvenuta-consegna' }, recipient: 'a@rem.cliente.test' });
  });

  it('a Dispatch is a busta di trasporto with its AttachedMimeMessage; ReceivedFromNonERDS is an anomaly', async () => {
    const raw = await pecMessage({
      from: '"On behalf of: ufficio@rem.demo.test" <rem-service@rems.test>',
      headers: remHeaders('dispatch', 'SubmissionAcceptance', 'MessageAccepted'),
      parts: [
        intro,
        messagePart(originalMessage(), 'AttachedMimeMessage', ['REM-Section-Type: rem_message/original']),
        remEvidencePart('SubmissionAcceptance', { code: 'x', details: ['RA01'] }, ['a@rem.cliente.test']),
      ],
      signer,
    });
    const dispatch = await parsePec(raw);
    expect(dispatch).toMatchObject({
      kind: 'rem',
      rem: { pecKind: 'posta-certificata' },
      original: { part: 'AttachedMimeMessage', subject: 'Avviso di pagamento n. 42' },
    });
    expect(dispatch.flags).toEqual([]);
    expect(
      (await rem('dispatch', 'ReceivedFromNonERDS', ['MessageReceivedFromNonERDS', 'RF04', 'x'], ['a@rem.cliente.test'])).rem?.pecKind,
    ).toBe('anomalia');
  });

  it('events without a PEC counterpart have no pecKind and are flagged; a header/evidence disagreement is flagged', async () => {
    const relayed = await rem('receipt', 'RelayToNonERDS', ['Relayed', 'RF01', 'x'], ['a@gmail.test']);
    expect(relayed).toMatchObject({ kind: 'rem', recipient: null, rem: { pecKind: null, event: 'RelayToNonERDS' } });
    expect(relayed.flags).toContain('rem-event-without-pec-equivalent:RelayToNonERDS');

    const raw = await pecMessage({
      headers: remHeaders('receipt', 'ContentConsignment', 'x'),
      parts: [remEvidencePart('ContentConsignmentFailure', { code: 'x', details: ['RD04', 'quota'] }, ['a@rem.cliente.test'])],
      signer,
    });
    expect((await parsePec(raw)).flags).toContain('rem-event-mismatch:header=ContentConsignment,evidence=ContentConsignmentFailure');
  });

  it('REM header names in lower case; a receipt without evidence still classifies from its headers, flagged', async () => {
    const raw = await pecMessage({
      headers: remHeaders('receipt', 'ContentConsignment', 'Consigned').map((h) => h.replace(/^[^:]+/, (n) => n.toLowerCase())),
      parts: [textPart('no evidence')],
      signer,
    });
    const result = await parsePec(raw);
    expect(result).toMatchObject({ kind: 'rem', protocol: 'rem', rem: { pecKind: 'avvenuta-consegna' }, referencesMessageId: SENT_ID });
    expect(result.flags).toEqual(['rem-evidence-missing']);
  });

  it('a PEC receipt that also carries X-REM-Subject (Aruba 2026) stays a PEC receipt', async () => {
    const raw = await pecMessage({
      headers: ['X-Ricevuta: accettazione', 'X-REM-Subject: REM SubmissionAcceptance: x'],
      parts: [textPart('x')],
      signer,
    });
    const result = await parsePec(raw);
    expect(result).toMatchObject({ kind: 'accettazione', protocol: 'pec', markers: { 'X-REM-Subject': 'REM SubmissionAcceptance: x' } });
    expect(result.rem).toBeUndefined();
  });
});
