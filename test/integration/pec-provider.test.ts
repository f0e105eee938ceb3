import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { parsePec } from '../../src/pec/pec-parser.js';
import type { PecResult } from '../../src/pec/pec-result.js';
import { inbox, startPecProvider, waitForMessages, type PecProviderHarness } from '../support/pec-provider.js';

// Mailbox creation waits for Dovecot to re-read its users file (whole seconds); the 24 h notice
// arrives after 6 s at the accelerated clock used here.
jest.setTimeout(60_000);

const tag = randomBytes(4).toString('hex');
const sender = { address: `ufficio-${tag}@pec.demo.test`, password: '' };
const recipient = { address: `protocollo-${tag}@pec.acme.test`, password: '' };
const second = { address: `segreteria-${tag}@pec.acme.test`, password: '' };
const slowBox = { address: `lenta-${tag}@pec.example.test`, password: '' };
const lostBox = `persa-${tag}@pec.example.test`;
const refusedBox = `rifiutata-${tag}@pec.example.test`;
const cutBox = `interrotta-${tag}@pec.example.test`;

let provider: PecProviderHarness;

beforeAll(async () => {
  provider = await startPecProvider({
    PEC_PROVIDER_LATENCY_MS: '100',
    // 12 h → 3 s, 24 h → 6 s.
    PEC_PROVIDER_CLOCK_FACTOR: '14400',
    PEC_PROVIDER_MAX_BYTES: '100000',
    PEC_PROVIDER_FAULTS: JSON.stringify([
      { match: lostBox, action: 'drop' },
      { match: refusedBox, action: 'refuse' },
      { match: cutBox, action: 'disconnect' },
      { match: slowBox.address, action: 'delay', delayMs: 1500 },
    ]),
  });
  const [a, b, c, d] = await Promise.all([
    provider.mailbox(sender.address),
    provider.mailbox(recipient.address),
    provider.mailbox(second.address),
    provider.mailbox(slowBox.address),
    provider.mailbox(lostBox),
  ]);
  sender.password = a;
  recipient.password = b;
  second.password = c;
  slowBox.password = d;
});

afterAll(async () => {
  await provider?.close();
});

/** Sends, then reads the sender's and recipients' boxes for messages referring to this Message-ID. */
function messageId(): string {
  return `${randomBytes(8).toString('hex')}@pec.demo.test`;
}

const about = (id: string, kind: string) => async (raw: Buffer) => {
  const result = await parsePec(raw, { verifySignature: false });
  return result.kind === kind && result.referencesMessageId === id;
};

async function one(box: { address: string; password: string }, id: string, kind: string): Promise<PecResult> {
  const [raw] = await waitForMessages(box.address, box.password, about(id, kind));
  return parsePec(raw!);
}

function expectSignedBy(result: PecResult, domain: string): void {
  expect(result.signature).toBe('valid');
  expect(result.signatureDetails.signer?.emailAddresses).toEqual([`posta-certificata@${domain}`]);
  expect(result.signatureDetails.signerMatchesFrom).toBe(true);
  expect(result.provider.address).toBe(`posta-certificata@${domain}`);
}

describe('local PEC provider: a PEC to a local mailbox', () => {
  it('answers accettazione, puts the busta in the recipient box and sends a complete avvenuta consegna', async () => {
    const id = messageId();
    const reply = await provider.send(sender, {
      to: recipient.address,
      subject: 'Richiesta di accesso agli atti',
      text: 'Buongiorno, si chiede copia della delibera.',
      messageId: `<${id}>`,
      attachments: [{ filename: 'richiesta.pdf', content: Buffer.from('%PDF-1.4 richiesta') }],
    });
    expect(reply).toMatch(/^250 .*accettato come opec/);

    const accepted = await one(sender, id, 'accettazione');
    expectSignedBy(accepted, 'pec.demo.test');
    expect(accepted.subject).toBe('ACCETTAZIONE: Richiesta di accesso agli atti');
    expect(accepted.recipients).toEqual([{ address: recipient.address, type: 'certificato' }]);
    const pecId = accepted.providerId;
    expect(pecId).toMatch(/^opec.*@pec\.demo\.test$/);

    const busta = await one(recipient, id, 'posta-certificata');
    expectSignedBy(busta, 'pec.demo.test');
    expect(busta.messageId).toBe(pecId);
    expect(busta.receiptType).toBe('completa');
    expect(busta.original?.messageId).toBe(pecId);
    expect(busta.original?.referenceMessageId).toBe(id);
    expect(busta.original?.attachments.map((a) => a.filename)).toEqual(['richiesta.pdf']);
    expect(busta.sender).toBe(sender.address);

    const delivered = await one(sender, id, 'avvenuta-consegna');
    expectSignedBy(delivered, 'pec.acme.test');
    expect(delivered.receiptType).toBe('completa');
    expect({
      referencesMessageId: delivered.referencesMessageId,
      providerId: delivered.providerId,
      recipient: delivered.recipient,
    }).toEqual({
      referencesMessageId: id,
      providerId: pecId,
      recipient: recipient.address,
    });
    expect(delivered.original?.attachments.map((a) => a.filename)).toEqual(['richiesta.pdf']);
    expect(delivered.flags).toEqual([]);
  });

  it('sends one avvenuta consegna per recipient, breve (attachments as hashes) or sintetica (no original) on request', async () => {
    const breve = messageId();
    await provider.send(sender, {
      to: recipient.address,
      cc: second.address,
      subject: 'Breve',
      text: 'x',
      messageId: `<${breve}>`,
      headers: { 'X-TipoRicevuta': 'breve' },
      attachments: [{ filename: 'atto.pdf', content: Buffer.from('%PDF-1.4 atto') }],
    });
    const sintetica = messageId();
    await provider.send(sender, {
      to: recipient.address,
      subject: 'Sintetica',
      text: 'y',
      messageId: `<${sintetica}>`,
      headers: { 'X-TipoRicevuta': 'sintetica' },
    });

    const breveReceipts = await waitForMessages(sender.address, sender.password, about(breve, 'avvenuta-consegna'), 2);
    const parsed = await Promise.all(breveReceipts.map((raw) => parsePec(raw)));
    expect(parsed.map((r) => r.recipient).sort()).toEqual([recipient.address, second.address].sort());
    for (const result of parsed) {
      expect(result.receiptType).toBe('breve');
      expect(result.signature).toBe('valid');
      expect(result.original?.attachments.map((a) => a.filename)).toEqual(['atto.pdf.sha256']);
    }
    const breveBusta = await one(recipient, breve, 'posta-certificata');
    expect(breveBusta.receiptType).toBe('breve');

    const synthetic = await one(sender, sintetica, 'avvenuta-consegna');
    expect(synthetic.receiptType).toBe('sintetica');
    expect(synthetic.original).toBeUndefined();
    expect(synthetic.signature).toBe('valid');
  });
});

describe('local PEC provider: avvisi di mancata consegna', () => {
  it('reports an unknown local mailbox as no-dest and an unknown domain as no-dominio, after the accettazione', async () => {
    const id = messageId();
    const missing = `nessuno-${tag}@pec.acme.test`;
    const foreign = `qualcuno@pec.${tag}.invalid`;
    await provider.send(sender, { to: [missing, foreign], subject: 'Destinatari errati', text: 'z', messageId: `<${id}>` });

    const accepted = await one(sender, id, 'accettazione');
    expect(accepted.recipients.map((r) => r.address)).toEqual([missing, foreign]);
    const errors = await Promise.all(
      (await waitForMessages(sender.address, sender.password, about(id, 'errore-consegna'), 2)).map((raw) => parsePec(raw)),
    );
    const byRecipient = Object.fromEntries(errors.map((r) => [r.recipient, r]));
    expect(byRecipient[missing]?.error).toBe('no-dest');
    expect(byRecipient[missing]?.errorDetails).toMatchObject({ status: '5.1.1' });
    expectSignedBy(byRecipient[missing], 'pec.acme.test');
    expect(byRecipient[foreign]?.error).toBe('no-dominio');
    expect(byRecipient[foreign]?.errorDetails).toMatchObject({ status: '5.1.2' });
    expectSignedBy(byRecipient[foreign], 'pec.demo.test');
    expect(byRecipient[missing]?.subject).toBe('AVVISO DI MANCATA CONSEGNA: Destinatari errati');
  });

  it('sends the 12 h preavviso and then the 24 h 5.4.1 notice for a recipient whose provider never answers', async () => {
    const id = messageId();
    await provider.send(sender, { to: lostBox, subject: 'Mai consegnato', text: 'w', messageId: `<${id}>` });

    const warning = await one(sender, id, 'preavviso-errore-consegna');
    expect(warning.subject).toBe('AVVISO DI MANCATA CONSEGNA PER SUP. TEMPO MASSIMO: Mai consegnato');
    expect(warning.recipient).toBe(lostBox);
    expect(warning.errorDetails?.timeout).toBeUndefined();
    expectSignedBy(warning, 'pec.demo.test');

    const final = await one(sender, id, 'errore-consegna');
    expect(final.errorDetails).toMatchObject({ status: '5.4.1', timeout: true });
    expect(final.recipient).toBe(lostBox);
    expect(final.subject).toBe('AVVISO DI MANCATA CONSEGNA PER SUP. TEMPO MASSIMO: Mai consegnato');
  });

  it('sends no timeout notice for a recipient that was delivered', async () => {
    const id = messageId();
    await provider.send(sender, { to: recipient.address, subject: 'Puntuale', text: 'v', messageId: `<${id}>` });
    await one(sender, id, 'avvenuta-consegna');
    // A message sent after it to the lost box gets its 24 h notice after this one's timers were due.
    const later = messageId();
    await provider.send(sender, { to: lostBox, subject: 'Dopo', text: 'u', messageId: `<${later}>` });
    await one(sender, later, 'errore-consegna');

    const notices = [];
    for (const raw of await inbox(sender.address, sender.password)) {
      const result = await parsePec(raw, { verifySignature: false });
      if (result.referencesMessageId === id) notices.push(result.kind);
    }
    expect(notices.sort()).toEqual(['accettazione', 'avvenuta-consegna'].sort());
  });
});

describe('local PEC provider: avvisi di non accettazione', () => {
  const refusals: [string, () => Promise<string>, RegExp][] = [
    [
      'a Bcc recipient',
      // nodemailer never writes Bcc into the message over SMTP: a client that does sends this.
      () =>
        provider.send(sender, {
          envelope: { from: sender.address, to: [recipient.address] },
          raw: [
            `From: ${sender.address}`,
            `To: ${recipient.address}`,
            `Bcc: ${second.address}`,
            'Subject: Con Bcc',
            `Message-ID: <bcc-${tag}@pec.demo.test>`,
            '',
            'a',
          ].join('\r\n'),
        }),
      /copia nascosta/,
    ],
    [
      'a From that is not the SMTP sender',
      () =>
        provider.send(sender, {
          from: `altro-${tag}@pec.demo.test`,
          envelope: { from: sender.address, to: [recipient.address] },
          to: recipient.address,
          subject: 'From diverso',
          text: 'b',
          messageId: `<from-${tag}@pec.demo.test>`,
        }),
      /diverso dal mittente della busta/,
    ],
    [
      'an RCPT TO missing from To and Cc',
      () =>
        provider.send(sender, {
          envelope: { from: sender.address, to: [recipient.address, second.address] },
          to: recipient.address,
          subject: 'Destinatario nascosto',
          text: 'c',
          messageId: `<rcpt-${tag}@pec.demo.test>`,
        }),
      /non presenti nelle intestazioni To o Cc/,
    ],
    [
      'size × recipients over the limit',
      () =>
        provider.send(sender, {
          to: [recipient.address, second.address],
          subject: 'Troppo grande',
          text: 'd',
          messageId: `<size-${tag}@pec.demo.test>`,
          attachments: [{ filename: 'grande.bin', content: randomBytes(40_000) }],
        }),
      /oltre il limite del gestore/,
    ],
  ];

  it.each(refusals)('refuses %s with an avviso di non accettazione and delivers nothing', async (_what, send, reason) => {
    const reply = await send();
    expect(reply).toMatch(/^250 .*non accettato/);
    const [raw] = await waitForMessages(sender.address, sender.password, async (candidate) => {
      const result = await parsePec(candidate, { verifySignature: false });
      return result.kind === 'non-accettazione' && reason.test(result.errorDetails?.extended ?? '');
    });
    const result = await parsePec(raw!);
    expectSignedBy(result, 'pec.demo.test');
    expect(result.error).toBe('altro');
    expect(result.subject).toMatch(/^AVVISO DI NON ACCETTAZIONE: /);
    const refused = result.referencesMessageId!;
    for (const box of [recipient, second]) {
      const bustas = await Promise.all((await inbox(box.address, box.password)).map((m) => parsePec(m, { verifySignature: false })));
      expect(bustas.filter((b) => b.referencesMessageId === refused)).toEqual([]);
    }
  });

  it('refuses a message carrying the EICAR test virus with an avviso di non accettazione per virus', async () => {
    const id = messageId();
    const eicar = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$' + 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
    await provider.send(sender, {
      to: recipient.address,
      subject: 'Allegato infetto',
      text: 'e',
      messageId: `<${id}>`,
      attachments: [{ filename: 'eicar.com', content: Buffer.from(eicar) }],
    });
    const result = await one(sender, id, 'non-accettazione');
    expect(result.error).toBe('virus');
    expect(result.markers['X-VerificaSicurezza']).toBe('errore');
    expect(result.subject).toBe('AVVISO DI NON ACCETTAZIONE PER VIRUS: Allegato infetto');
    expectSignedBy(result, 'pec.demo.test');
  });
});

describe('local PEC provider: limits and faults at the SMTP level', () => {
  it('answers 451 4.7.1 over the per-minute limit and 550 5.7.1 over the per-day limit', async () => {
    const busy = { address: `massiva-${tag}@pec.demo.test`, password: '' };
    busy.password = await provider.mailbox(busy.address, { perMinute: 2, perDay: 100 });
    const daily = { address: `giornaliera-${tag}@pec.demo.test`, password: '' };
    daily.password = await provider.mailbox(daily.address, { perMinute: 100, perDay: 1 });

    await provider.send(busy, { to: [recipient.address, second.address], subject: 'Due', text: 'f' });
    await expect(provider.send(busy, { to: recipient.address, subject: 'Terza', text: 'g' })).rejects.toMatchObject({
      responseCode: 451,
      response: expect.stringMatching(/4\.7\.1/),
    });

    await provider.send(daily, { to: recipient.address, subject: 'Uno', text: 'h' });
    await expect(provider.send(daily, { to: recipient.address, subject: 'Due', text: 'i' })).rejects.toMatchObject({
      responseCode: 550,
      response: expect.stringMatching(/5\.7\.1/),
    });
  });

  it('refuses a recipient with 451 and cuts the connection in the middle of DATA, accepting nothing', async () => {
    await expect(provider.send(sender, { to: refusedBox, subject: 'Rifiutata', text: 'j' })).rejects.toMatchObject({ responseCode: 451 });
    const id = messageId();
    await expect(provider.send(sender, { to: cutBox, subject: 'Interrotta', text: 'k', messageId: `<${id}>` })).rejects.toThrow();
    const results = await Promise.all(
      (await inbox(sender.address, sender.password)).map((raw) => parsePec(raw, { verifySignature: false })),
    );
    expect(results.filter((r) => r.referencesMessageId === id)).toEqual([]);
  });

  it('delays the busta of a slow recipient: accepted first, delivered afterwards', async () => {
    const id = messageId();
    await provider.send(sender, { to: slowBox.address, subject: 'Lenta', text: 'l', messageId: `<${id}>` });
    await one(sender, id, 'accettazione');
    const early = await Promise.all(
      (await inbox(slowBox.address, slowBox.password)).map((raw) => parsePec(raw, { verifySignature: false })),
    );
    expect(early.filter((r) => r.referencesMessageId === id)).toEqual([]);
    await one(slowBox, id, 'posta-certificata');
    await one(sender, id, 'avvenuta-consegna');
  });
});

describe('local PEC provider: ordinary mail to a PEC mailbox', () => {
  it('wraps it in a signed busta di anomalia', async () => {
    const { createTransport } = await import('nodemailer');
    const transport = createTransport({ host: '127.0.0.1', port: provider.port, secure: false, ignoreTLS: true });
    const id = `${randomBytes(6).toString('hex')}@posta.esempio.test`;
    await transport.sendMail({
      from: 'mario@posta.esempio.test',
      to: recipient.address,
      subject: 'Mail ordinaria',
      text: 'ciao',
      messageId: `<${id}>`,
    });
    transport.close();

    const result = await one(recipient, id, 'anomalia');
    expect(result.subject).toBe('ANOMALIA MESSAGGIO: Mail ordinaria');
    expectSignedBy(result, 'pec.acme.test');
    expect(result.original?.from).toMatch(/mario@posta\.esempio\.test/);
  });

  it('relays nothing from an unauthenticated session to other domains or unknown mailboxes', async () => {
    const { createTransport } = await import('nodemailer');
    const transport = createTransport({ host: '127.0.0.1', port: provider.port, secure: false, ignoreTLS: true });
    try {
      await expect(
        transport.sendMail({ from: 'x@posta.esempio.test', to: 'y@altrove.test', subject: 's', text: 't' }),
      ).rejects.toMatchObject({ responseCode: 554 });
      await expect(
        transport.sendMail({ from: 'x@posta.esempio.test', to: `ignoto-${tag}@pec.acme.test`, subject: 's', text: 't' }),
      ).rejects.toMatchObject({ responseCode: 550 });
    } finally {
      transport.close();
    }
  });
});

describe('local PEC provider: the catch-all domain', () => {
  it('delivers to any address of pec.example.test through its shared mailbox, one busta per recipient naming it', async () => {
    const id = messageId();
    const anyone = [`chiunque-${tag}@pec.example.test`, `qualsiasi-${tag}@pec.example.test`];
    await provider.send(sender, { to: anyone, subject: 'A tutti', text: 'c', messageId: `<${id}>` });

    const receipts = await Promise.all(
      (await waitForMessages(sender.address, sender.password, about(id, 'avvenuta-consegna'), 2)).map((raw) => parsePec(raw)),
    );
    expect(receipts.map((r) => r.recipient).sort()).toEqual([...anyone].sort());
    const catchAll = { address: 'catch-all@pec.example.test', password: 'pecflow-demo' };
    const bustas = await waitForMessages(catchAll.address, catchAll.password, about(id, 'posta-certificata'), 2);
    const names = bustas.map((raw) => /^X-Original-To: (.+?)\r?$/m.exec(raw.toString('latin1'))?.[1]).sort();
    expect(names).toEqual([...anyone].sort());
    // The signature still holds on the copy with the added header.
    expect((await parsePec(bustas[0]!)).signature).toBe('valid');
  });
});
