import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { parsePec } from '../../src/pec/pec-parser.js';
import type { PecResult } from '../../src/pec/pec-result.js';
import { inbox, startPecProvider, waitForMessages, type PecProviderHarness } from '../support/pec-provider.js';

// Mailbox creation waits for Dovecot to re-read its users file (whole seconds).
jest.setTimeout(60_000);

const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$' + 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
const tag = randomBytes(4).toString('hex');
const sender = { address: `ufficio-${tag}@pec.demo.test`, password: '' };
/** A sender whose gestore's antivirus lets EICAR through (fault miss-virus). */
const careless = { address: `distratto-${tag}@pec.demo.test`, password: '' };
const sameGestore = { address: `collega-${tag}@pec.demo.test`, password: '' };
const otherGestore = { address: `protocollo-${tag}@pec.acme.test`, password: '' };
const ordinary = { address: `cittadino-${tag}@demo.test`, password: '' };

let provider: PecProviderHarness;

beforeAll(async () => {
  provider = await startPecProvider({
    PEC_PROVIDER_LATENCY_MS: '100',
    PEC_PROVIDER_SHOW_PROVIDER_NOTICES: 'true',
    PEC_PROVIDER_FAULTS: JSON.stringify([{ match: careless.address, action: 'miss-virus' }]),
  });
  [sender.password, careless.password, sameGestore.password, otherGestore.password, ordinary.password] = await Promise.all([
    provider.mailbox(sender.address),
    provider.mailbox(careless.address),
    provider.mailbox(sameGestore.address),
    provider.mailbox(otherGestore.address),
    provider.ordinaryMailbox(ordinary.address),
  ]);
});

afterAll(async () => {
  await provider?.close();
});

function messageId(): string {
  return `${randomBytes(8).toString('hex')}@pec.demo.test`;
}

const about = (id: string, kind?: string) => async (raw: Buffer) => {
  const result = await parsePec(raw, { verifySignature: false });
  return result.referencesMessageId === id && (kind === undefined || result.kind === kind);
};

async function one(box: { address: string; password: string }, id: string, kind: string): Promise<PecResult> {
  const [raw] = await waitForMessages(box.address, box.password, about(id, kind));
  return parsePec(raw!);
}

/** Everything in `box` about `id`, once the expected `count` is there and nothing more came in a while. */
async function settled(box: { address: string; password: string }, id: string, count: number): Promise<PecResult[]> {
  await waitForMessages(box.address, box.password, about(id), count);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const all: PecResult[] = [];
  for (const raw of await inbox(box.address, box.password)) if (await about(id)(raw)) all.push(await parsePec(raw));
  return all;
}

describe('local PEC provider: notices between gestori (shown to the sender)', () => {
  it("sends the recipient gestore's presa in carico for a busta crossing to another domain, not within one gestore", async () => {
    const id = messageId();
    await provider.send(sender, {
      to: [otherGestore.address, sameGestore.address],
      subject: 'Due gestori',
      text: 'x',
      messageId: `<${id}>`,
    });

    const received = await settled(sender, id, 4);
    // Each notice is a message of its own: distinct Message-IDs, or a receiver would take one for a repeat.
    expect(new Set(received.map((r) => r.messageId)).size).toBe(4);
    const kinds = received.map((r) => `${r.kind}:${r.recipient ?? r.receivedFor.join(',')}`).sort();
    expect(kinds).toEqual(
      [
        'accettazione:',
        `avvenuta-consegna:${otherGestore.address}`,
        `avvenuta-consegna:${sameGestore.address}`,
        `presa-in-carico:${otherGestore.address}`,
      ].sort(),
    );
    const takeover = await one(sender, id, 'presa-in-carico');
    expect(takeover.subject).toBe('PRESA IN CARICO: Due gestori');
    expect(takeover.markers['X-Ricevuta']).toBe('presa-in-carico');
    expect(takeover.receivedFor).toEqual([otherGestore.address]);
    expect(takeover.signature).toBe('valid');
    expect(takeover.provider.address).toBe('posta-certificata@pec.acme.test');
  });

  it("reports a virus the sender's gestore missed: rilevazione virus from the recipient's gestore and mancata consegna per virus", async () => {
    const id = messageId();
    await provider.send(careless, {
      to: otherGestore.address,
      subject: 'Sfuggito',
      text: 'v',
      messageId: `<${id}>`,
      attachments: [{ filename: 'eicar.com', content: Buffer.from(EICAR) }],
    });
    expect((await one(careless, id, 'accettazione')).kind).toBe('accettazione');
    const detected = await one(careless, id, 'rilevazione-virus');
    expect(detected).toMatchObject({ error: 'virus', recipient: otherGestore.address, subject: 'PROBLEMA DI SICUREZZA: Sfuggito' });
    expect(detected.signature).toBe('valid');
    const failed = await one(careless, id, 'errore-consegna');
    expect(failed).toMatchObject({ error: 'virus', recipient: otherGestore.address });
    expect(failed.markers['X-VerificaSicurezza']).toBe('errore');
    expect(failed.subject).toBe('AVVISO DI MANCATA CONSEGNA PER VIRUS: Sfuggito');
    // Nothing infected reached the recipient.
    expect(await Promise.all((await inbox(otherGestore.address, otherGestore.password)).map((raw) => about(id)(raw)))).not.toContain(true);
  });

  it('sends to an ordinary mailbox as esterno: typed in the accettazione, the busta arrives, and no receipt ever follows', async () => {
    const id = messageId();
    await provider.send(sender, {
      to: [ordinary.address, otherGestore.address],
      subject: 'Anche a un privato',
      text: 'o',
      messageId: `<${id}>`,
    });

    const accepted = await one(sender, id, 'accettazione');
    expect(accepted.recipients).toEqual([
      { address: ordinary.address, type: 'esterno' },
      { address: otherGestore.address, type: 'certificato' },
    ]);
    const [busta] = await waitForMessages(
      ordinary.address,
      ordinary.password,
      async (raw) => (await parsePec(raw)).kind === 'posta-certificata',
    );
    expect((await parsePec(busta!)).subject).toBe('POSTA CERTIFICATA: Anche a un privato');
    const receipts = await settled(sender, id, 3);
    expect(receipts.map((r) => `${r.kind}:${r.recipient ?? ''}`).sort()).toEqual(
      ['accettazione:', `avvenuta-consegna:${otherGestore.address}`, `presa-in-carico:`].sort(),
    );
  });
});
