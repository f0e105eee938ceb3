import { createHash } from 'node:crypto';
import {
  PEC_ID,
  SENT_ID,
  daticertPart,
  daticertXml,
  messagePart,
  newSigner,
  originalMessage,
  pecMessage,
  textPart,
  type DaticertSpec,
  type Part,
  type Signer,
} from '../../test/support/pec-messages.js';
import { parsePec } from './pec-parser.js';

let signer: Signer;
beforeAll(async () => {
  signer = await newSigner();
});

/** A signed provider message: the marker headers, the daticert, and any further parts. */
async function provider(headers: string[], daticert: DaticertSpec | undefined, extra: Part[] = [], subject?: string) {
  const parts = [textPart('Testo per le persone: non va letto.'), ...(daticert ? [daticertPart(daticertXml(daticert))] : []), ...extra];
  return parsePec(await pecMessage({ headers: [`X-Riferimento-Message-ID: <${SENT_ID}>`, ...headers], parts, signer, subject }));
}

describe('receipts and notices, from X-Ricevuta and the daticert', () => {
  it('ricevuta di accettazione: ids for correlation, every recipient with its tipo, certified time with its zone', async () => {
    const result = await provider(['X-Ricevuta: accettazione'], {
      tipo: 'accettazione',
      destinatari: [
        { address: 'mario.rossi@pec.cliente.test', tipo: 'certificato' },
        { address: 'anna@gmail.test', tipo: 'esterno' },
      ],
      giorno: '14/12/2021',
      ora: '14:54:32',
      zona: '+0100',
    });
    expect(result).toMatchObject({
      kind: 'accettazione',
      protocol: 'pec',
      receiptType: null,
      error: null,
      errorDetails: null,
      referencesMessageId: SENT_ID,
      recipient: null,
      providerId: PEC_ID,
      sender: 'ufficio@pec.demo.test',
      recipients: [
        { address: 'mario.rossi@pec.cliente.test', type: 'certificato' },
        { address: 'anna@gmail.test', type: 'esterno' },
      ],
      subject: 'ACCETTAZIONE: Avviso di pagamento n. 42',
      originalSubject: 'Avviso di pagamento n. 42',
      dates: { certified: '2021-12-14T14:54:32+01:00' },
      provider: { name: 'PROVIDER PEC S.p.A.', address: 'posta-certificata@pec.provider.test' },
      signature: 'valid',
    });
    expect(result.flags).toEqual([]);
  });

  it('avviso di non accettazione, and its virus variant (X-VerificaSicurezza: errore)', async () => {
    const plain = await provider(['X-Ricevuta: non-accettazione'], {
      tipo: 'non-accettazione',
      errore: 'altro',
      erroreEsteso: 'Destinatario in Bcc non ammesso',
    });
    expect(plain).toMatchObject({
      kind: 'non-accettazione',
      error: 'altro',
      errorDetails: { extended: 'Destinatario in Bcc non ammesso' },
    });
    expect(plain.flags).toEqual([]);

    const virus = await provider(['X-Ricevuta: non-accettazione', 'X-VerificaSicurezza: errore'], {
      tipo: 'non-accettazione',
      errore: 'virus',
    });
    expect(virus).toMatchObject({ kind: 'non-accettazione', error: 'virus' });
    expect(virus.flags).toEqual([]);
  });

  it('presa in carico: the recipients it covers', async () => {
    const result = await provider(['X-Ricevuta: presa-in-carico'], {
      tipo: 'presa-in-carico',
      ricezione: ['mario.rossi@pec.cliente.test', 'ufficio2@pec.cliente.test'],
    });
    expect(result).toMatchObject({ kind: 'presa-in-carico', receivedFor: ['mario.rossi@pec.cliente.test', 'ufficio2@pec.cliente.test'] });
    expect(result.flags).toEqual([]);
  });

  it('avvenuta consegna completa: the recipient from <consegna> and the original from postacert.eml, attachments by hash only', async () => {
    const pdf = Buffer.from('%PDF-1.4 avviso 42');
    const result = await provider(
      ['X-Ricevuta: avvenuta-consegna'],
      { tipo: 'avvenuta-consegna', ricevuta: 'completa', consegna: 'mario.rossi@pec.cliente.test' },
      [messagePart(originalMessage({ attachment: { name: 'avviso-42.pdf', content: pdf } }))],
      'CONSEGNA: Avviso di pagamento n. 42',
    );
    expect(result).toMatchObject({
      kind: 'avvenuta-consegna',
      receiptType: 'completa',
      referencesMessageId: SENT_ID,
      providerId: PEC_ID,
      recipient: 'mario.rossi@pec.cliente.test',
      original: {
        part: 'postacert.eml',
        messageId: PEC_ID,
        referenceMessageId: SENT_ID,
        subject: 'Avviso di pagamento n. 42',
        from: '"Ufficio Tributi" <ufficio@pec.demo.test>',
        to: ['mario.rossi@pec.cliente.test'],
        text: 'Gentile contribuente, in allegato l’avviso.',
        attachments: [
          {
            filename: 'avviso-42.pdf',
            contentType: 'application/pdf',
            size: pdf.length,
            sha256: createHash('sha256').update(pdf).digest('hex'),
          },
        ],
      },
    });
    expect(JSON.stringify(result)).not.toContain(pdf.toString('base64'));
    expect(result.flags).toEqual([]);
  });

  it.each(['breve', 'sintetica'] as const)('avvenuta consegna %s', async (tipo) => {
    const extra = tipo === 'breve' ? [messagePart(originalMessage())] : [];
    const result = await provider(
      ['X-Ricevuta: avvenuta-consegna', `X-TipoRicevuta: ${tipo}`],
      { tipo: 'avvenuta-consegna', ricevuta: tipo, consegna: 'a@pec.cliente.test' },
      extra,
    );
    expect(result).toMatchObject({ kind: 'avvenuta-consegna', receiptType: tipo, recipient: 'a@pec.cliente.test' });
    expect(result.original === undefined).toBe(tipo === 'sintetica');
    expect(result.flags).toEqual([]);
  });

  it.each([
    ['no-dest', '5.1.1 - Provider PEC S.p.A. - indirizzo non valido', '5.1.1'],
    ['no-dominio', '5.1.2 - Provider PEC S.p.A. - dominio non esistente', '5.1.2'],
    ['altro', '5.2.2 - Provider PEC S.p.A. - casella piena', '5.2.2'],
  ])('avviso di mancata consegna %s: code, errore-esteso and its status code', async (errore, extended, status) => {
    const result = await provider(['X-Ricevuta: errore-consegna'], {
      tipo: 'errore-consegna',
      errore,
      consegna: 'x@pec.cliente.test',
      erroreEsteso: extended,
    });
    expect(result).toMatchObject({
      kind: 'errore-consegna',
      error: errore,
      errorDetails: { extended, status },
      recipient: 'x@pec.cliente.test',
    });
    expect(result.errorDetails?.timeout).toBeUndefined();
    expect(result.flags).toEqual([]);
  });

  it('avviso di mancata consegna per virus', async () => {
    const result = await provider(['X-Ricevuta: errore-consegna', 'X-VerificaSicurezza: errore'], {
      tipo: 'errore-consegna',
      errore: 'virus',
      consegna: 'x@pec.cliente.test',
    });
    expect(result).toMatchObject({ kind: 'errore-consegna', error: 'virus' });
  });

  it('preavviso at 12 h is a warning; the 5.4.1 notice at 24 h is a final failure however the provider types it', async () => {
    const warning = await provider(['X-Ricevuta: preavviso-errore-consegna'], {
      tipo: 'preavviso-errore-consegna',
      errore: 'altro',
      consegna: 'x@pec.cliente.test',
      erroreEsteso: 'Il messaggio non è ancora stato consegnato entro le 12 ore',
    });
    expect(warning).toMatchObject({ kind: 'preavviso-errore-consegna', error: 'altro', recipient: 'x@pec.cliente.test' });
    expect(warning.errorDetails?.timeout).toBeUndefined();

    const timeout = '5.4.1 - InfoCert S.p.A. - il messaggio non è stato consegnato nelle ventiquattro ore successive al suo invio';
    for (const tipo of ['preavviso-errore-consegna', 'errore-consegna']) {
      const result = await provider([`X-Ricevuta: ${tipo}`], {
        tipo,
        errore: 'altro',
        consegna: 'x@pec.cliente.test',
        erroreEsteso: timeout,
      });
      expect(result).toMatchObject({
        kind: 'errore-consegna',
        error: 'altro',
        errorDetails: { status: '5.4.1', timeout: true, extended: timeout },
      });
      expect(result.flags).toEqual([]);
    }
  });

  it('rilevazione virus', async () => {
    const result = await provider(['X-Ricevuta: rilevazione-virus'], { tipo: 'rilevazione-virus', errore: 'virus' });
    expect(result).toMatchObject({ kind: 'rilevazione-virus', error: 'virus' });
    expect(result.flags).toEqual([]);
  });

  it('reads header names in any case and values in any case', async () => {
    const result = await provider(['x-RICEVUTA: Avvenuta-Consegna', 'x-tiporicevuta: BREVE'], {
      tipo: 'avvenuta-consegna',
      consegna: 'a@pec.cliente.test',
    });
    expect(result).toMatchObject({ kind: 'avvenuta-consegna', receiptType: 'breve' });
  });
});

describe('buste', () => {
  it('busta di trasporto: the sender behind "Per conto di", the receipt type asked (X-Tiporicevuta spelling) and the original', async () => {
    const raw = await pecMessage({
      from: '"Per conto di: ufficio@pec.demo.test" <posta-certificata@pec.provider.test>',
      subject: 'POSTA CERTIFICATA: Avviso di pagamento n. 42',
      messageId: PEC_ID,
      headers: [
        'Reply-To: ufficio@pec.demo.test',
        'X-Trasporto: posta-certificata',
        `X-Riferimento-Message-ID: <${SENT_ID}>`,
        'X-Tiporicevuta: breve',
      ],
      parts: [
        textPart('Messaggio di posta certificata'),
        daticertPart(daticertXml({ tipo: 'posta-certificata', ricevuta: 'breve' })),
        messagePart(originalMessage()),
      ],
      signer,
    });
    const result = await parsePec(raw);
    expect(result).toMatchObject({
      kind: 'posta-certificata',
      receiptType: 'breve',
      sender: 'ufficio@pec.demo.test',
      messageId: PEC_ID,
      providerId: PEC_ID,
      referencesMessageId: SENT_ID,
      error: null,
      original: { part: 'postacert.eml', subject: 'Avviso di pagamento n. 42', referenceMessageId: SENT_ID },
      markers: { 'X-Trasporto': 'posta-certificata', 'X-Tiporicevuta': 'breve' },
    });
    expect(result.flags).toEqual([]);
  });

  it('busta di trasporto whose daticert was stripped: its own Message-ID is the identificativo', async () => {
    const raw = await pecMessage({
      messageId: PEC_ID,
      headers: ['X-Trasporto: posta-certificata', `X-Riferimento-Message-ID: <${SENT_ID}>`],
      parts: [textPart('Messaggio di posta certificata'), messagePart(originalMessage())],
      signer,
    });
    const result = await parsePec(raw);
    expect(result).toMatchObject({ kind: 'posta-certificata', providerId: PEC_ID, referencesMessageId: SENT_ID, recipient: null });
    expect(result.flags).toContain('daticert-missing');
  });

  it('busta di trasporto whose X-TipoRicevuta is missing takes the type from the daticert; a disagreement is flagged', async () => {
    const missing = await provider(['X-Trasporto: posta-certificata'], { tipo: 'posta-certificata', ricevuta: 'completa' }, [
      messagePart(originalMessage()),
    ]);
    expect(missing.receiptType).toBe('completa');
    const disagree = await provider(
      ['X-Trasporto: posta-certificata', 'X-TipoRicevuta: sintetica'],
      { tipo: 'posta-certificata', ricevuta: 'completa' },
      [messagePart(originalMessage())],
    );
    expect(disagree.flags).toContain('receipt-type-mismatch:header=sintetica,daticert=completa');
  });

  it('busta di anomalia: no daticert of its own (not a flag), the wrapped message is the original', async () => {
    const raw = await pecMessage({
      from: '"Per conto di: qualcuno@gmail.test" <posta-certificata@pec.provider.test>',
      subject: 'ANOMALIA MESSAGGIO: Fattura',
      headers: ['Reply-To: qualcuno@gmail.test', 'X-Trasporto: errore'],
      parts: [
        textPart('Tali dati non sono stati certificati per il seguente errore: …'),
        messagePart(originalMessage({ subject: 'Fattura' }), 'original.eml'),
      ],
      signer,
    });
    const result = await parsePec(raw);
    expect(result).toMatchObject({
      kind: 'anomalia',
      sender: 'qualcuno@gmail.test',
      original: { part: 'original.eml', subject: 'Fattura' },
    });
    expect(result.flags).toEqual([]);
  });

  it('busta di anomalia wrapping a bounce from a non-PEC recipient: tied back to our message by the returned headers', async () => {
    const dsn = [
      'From: MAILER-DAEMON@mx.gmail.test',
      'To: posta-certificata@pec.provider.test',
      'Subject: Undelivered Mail Returned to Sender',
      'Message-ID: <bounce-1@mx.gmail.test>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"',
      '',
      '--dsn',
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      '--dsn',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.gmail.test',
      '',
      'Final-Recipient: rfc822; anna@gmail.test',
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 user unknown',
      '',
      '--dsn',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: <${PEC_ID}>`,
      `X-Riferimento-Message-ID: <${SENT_ID}>`,
      'X-Trasporto: posta-certificata',
      'Subject: POSTA CERTIFICATA: Avviso di pagamento n. 42',
      '',
      '--dsn--',
      '',
    ].join('\r\n');
    const raw = await pecMessage({
      from: '"Per conto di: MAILER-DAEMON@mx.gmail.test" <posta-certificata@pec.provider.test>',
      subject: 'ANOMALIA MESSAGGIO: Undelivered Mail Returned to Sender',
      headers: ['X-Trasporto: errore', 'X-Riferimento-Message-ID: <bounce-1@mx.gmail.test>'],
      parts: [textPart('Tali dati non sono stati certificati'), messagePart(dsn, 'original.eml')],
      signer,
    });
    const result = await parsePec(raw);
    expect(result).toMatchObject({
      kind: 'anomalia',
      // The busta's own X-Riferimento-Message-ID is the bounce's Message-ID: kept as read in the markers.
      markers: { 'X-Riferimento-Message-ID': '<bounce-1@mx.gmail.test>' },
      referencesMessageId: SENT_ID,
      providerId: PEC_ID,
      recipient: 'anna@gmail.test',
      bounce: {
        recipients: [{ finalRecipient: 'anna@gmail.test', action: 'failed', status: '5.1.1', diagnostic: 'smtp; 550 5.1.1 user unknown' }],
        returnedMessageId: PEC_ID,
        returnedReference: SENT_ID,
      },
    });
    expect(result.flags).toEqual([]);
  });

  it('a busta whose original is itself a receipt is classified by its own top-level headers only', async () => {
    const forwarded = (
      await pecMessage({
        headers: ['X-Ricevuta: errore-consegna'],
        parts: [daticertPart(daticertXml({ tipo: 'errore-consegna', errore: 'no-dest' }))],
      })
    ).toString('latin1');
    const result = await provider(['X-Trasporto: posta-certificata'], { tipo: 'posta-certificata', ricevuta: 'completa' }, [
      messagePart(forwarded),
    ]);
    expect(result.kind).toBe('posta-certificata');
    expect(result.error).toBeNull();
  });
});

describe('what does not fit is kept and flagged', () => {
  it('never classifies by subject: a busta titled "mancata consegna" is a busta, an ordinary mail titled ACCETTAZIONE is not-pec', async () => {
    const busta = await provider(
      ['X-Trasporto: posta-certificata'],
      { tipo: 'posta-certificata' },
      [messagePart(originalMessage())],
      'POSTA CERTIFICATA: Notifica di mancata consegna 141107829',
    );
    expect(busta.kind).toBe('posta-certificata');
    const ordinary = await parsePec(await pecMessage({ subject: 'ACCETTAZIONE: preventivo', parts: [textPart('ciao')] }));
    expect(ordinary).toMatchObject({ kind: 'not-pec', protocol: 'none', receiptType: null, error: null, signature: 'absent' });
    expect(ordinary.flags).toEqual([]);
  });

  it('header and daticert disagree: the header wins, the disagreement is flagged', async () => {
    const result = await provider(['X-Ricevuta: avvenuta-consegna'], {
      tipo: 'errore-consegna',
      errore: 'no-dest',
      consegna: 'x@pec.cliente.test',
    });
    expect(result.kind).toBe('avvenuta-consegna');
    expect(result.flags).toEqual(
      expect.arrayContaining([
        'daticert-tipo-mismatch:header=avvenuta-consegna,daticert=errore-consegna',
        'error-on-avvenuta-consegna:no-dest',
      ]),
    );
  });

  it('an unknown X-Ricevuta value is an anomalia marked unrecognised, with the raw value and its ids', async () => {
    const result = await provider(['X-Ricevuta: conferma-lettura'], { tipo: 'conferma-lettura' });
    expect(result).toMatchObject({
      kind: 'anomalia',
      protocol: 'pec',
      unrecognisedType: { source: 'x-ricevuta', value: 'conferma-lettura' },
      providerId: PEC_ID,
      referencesMessageId: SENT_ID,
      recipient: null,
    });
    expect(result.flags).toEqual(
      expect.arrayContaining(['unrecognised-type', 'unknown-x-ricevuta:conferma-lettura', 'unknown-daticert-tipo:conferma-lettura']),
    );
  });

  it('an unknown X-Trasporto value, or an unknown daticert tipo without marker header, is an anomalia marked unrecognised too', async () => {
    const transport = await provider(['X-Trasporto: posta-ordinaria'], { tipo: 'posta-certificata' });
    expect(transport).toMatchObject({ kind: 'anomalia', unrecognisedType: { source: 'x-trasporto', value: 'posta-ordinaria' } });
    expect(transport.flags).toEqual(expect.arrayContaining(['unrecognised-type', 'unknown-x-trasporto:posta-ordinaria']));
    const tipo = await provider([], { tipo: 'conferma-lettura' });
    expect(tipo).toMatchObject({ kind: 'anomalia', unrecognisedType: { source: 'daticert-tipo', value: 'conferma-lettura' } });
  });

  it('a daticert without marker header still classifies, flagged', async () => {
    const result = await provider([], { tipo: 'accettazione' });
    expect(result.kind).toBe('accettazione');
    expect(result.flags).toContain('no-pec-header-classified-by-daticert');
  });

  it('a receipt without daticert, an unknown errore, an unknown destinatari tipo, an unexpected part', async () => {
    const noDaticert = await provider(['X-Ricevuta: errore-consegna'], undefined);
    expect(noDaticert).toMatchObject({ kind: 'errore-consegna', error: 'altro', errorDetails: null });
    expect(noDaticert.flags).toEqual(expect.arrayContaining(['daticert-missing', 'error-without-code']));

    const odd = await provider(
      ['X-Ricevuta: errore-consegna'],
      { tipo: 'errore-consegna', errore: 'casella-piena', destinatari: [{ address: 'x@pec.cliente.test', tipo: 'speciale' }] },
      [{ headers: ['Content-Type: application/octet-stream; name="extra.bin"', 'Content-Transfer-Encoding: base64'], body: 'AAEC' }],
    );
    expect(odd.error).toBe('altro');
    expect(odd.recipients).toEqual([{ address: 'x@pec.cliente.test' }]);
    expect(odd.otherParts).toEqual([
      {
        filename: 'extra.bin',
        contentType: 'application/octet-stream',
        size: 3,
        sha256: createHash('sha256')
          .update(Buffer.from([0, 1, 2]))
          .digest('hex'),
      },
    ]);
    expect(odd.flags).toEqual(
      expect.arrayContaining([
        'unknown-daticert-errore:casella-piena',
        'unknown-destinatari-tipo:speciale',
        'unexpected-part:application/octet-stream;extra.bin',
      ]),
    );
  });

  it('X-Riferimento-Message-ID and daticert msgid that differ are both reported and flagged; a daticert without msgid is fine', async () => {
    const differ = await provider(['X-Ricevuta: accettazione'], { tipo: 'accettazione', msgid: 'altro@pec.demo.test' });
    expect(differ.referencesMessageId).toBe(SENT_ID);
    expect(differ.flags).toContain(`reference-mismatch:header=${SENT_ID},daticert=altro@pec.demo.test`);

    const noMsgid = await provider(['X-Ricevuta: accettazione'], { tipo: 'accettazione', msgid: null });
    expect(noMsgid.referencesMessageId).toBe(SENT_ID);
    expect(noMsgid.flags).toEqual([]);
  });
});

describe('trust and reply hints', () => {
  it('tells whether the From domain is a provider domain of the AgID list', async () => {
    const listed = await parsePec(
      await pecMessage({
        from: 'posta-certificata@pec.aruba.it',
        headers: ['X-Ricevuta: accettazione'],
        parts: [daticertPart(daticertXml({ tipo: 'accettazione' }))],
      }),
    );
    expect(listed.provider).toMatchObject({ address: 'posta-certificata@pec.aruba.it', listed: true });
    const unlisted = await provider(['X-Ricevuta: accettazione'], { tipo: 'accettazione' });
    expect(unlisted.provider.listed).toBe(false);
  });

  it('keeps In-Reply-To and References of the original: a reply names the identificativo the recipient saw', async () => {
    const reply = originalMessage().replace(
      'MIME-Version: 1.0',
      `In-Reply-To: <${PEC_ID}>\r\nReferences: <older@pec.demo.test> <${PEC_ID}>\r\nMIME-Version: 1.0`,
    );
    const result = await provider(['X-Trasporto: posta-certificata'], { tipo: 'posta-certificata', ricevuta: 'completa' }, [
      messagePart(reply),
    ]);
    expect(result.original).toMatchObject({ inReplyTo: PEC_ID, references: ['older@pec.demo.test', PEC_ID] });
  });

  it('flags a micalg that does not name the digest the signature used', async () => {
    const raw = (
      await pecMessage({ headers: ['X-Ricevuta: accettazione'], parts: [daticertPart(daticertXml({ tipo: 'accettazione' }))], signer })
    ).toString('utf8');
    const result = await parsePec(Buffer.from(raw.replace('micalg="sha-256"', 'micalg="sha1"')));
    expect(result.signature).toBe('valid');
    expect(result.flags).toEqual(['micalg-mismatch:header=sha1,signature=sha256']);
  });

  it('reads a message saved from an mbox file, skipping its "From " line', async () => {
    const raw = await pecMessage({
      headers: ['X-Ricevuta: accettazione'],
      parts: [daticertPart(daticertXml({ tipo: 'accettazione' }))],
      signer,
    });
    const result = await parsePec(Buffer.concat([Buffer.from('From posta-certificata@pec.provider.test Thu Nov 26 10:00:05 2026\n'), raw]));
    expect(result).toMatchObject({ kind: 'accettazione', signature: 'valid' });
    expect(result.flags).toEqual(['mbox-from-line-skipped']);
  });
});

describe('malformed input gives a result, never an exception', () => {
  it.each([
    ['empty input', Buffer.alloc(0)],
    ['binary noise', Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0a, 0x0d])],
    ['plain text', Buffer.from('this is not an e-mail\nat all\n')],
  ])('%s', async (_, raw) => {
    const result = await parsePec(raw);
    expect(result).toMatchObject({ kind: 'not-pec', protocol: 'none', referencesMessageId: null, signature: 'absent' });
    expect(result.flags).toContain('not-a-mime-message');
  });

  it('a message cut in the middle of its daticert', async () => {
    const raw = (
      await pecMessage({ headers: ['X-Ricevuta: accettazione'], parts: [daticertPart(daticertXml({ tipo: 'accettazione' }))], signer })
    ).toString('latin1');
    const cut = raw.slice(0, raw.indexOf('Content-Transfer-Encoding: base64') + 120);
    const result = await parsePec(Buffer.from(cut, 'latin1'));
    expect(result.kind).toBe('accettazione');
    expect(result.flags).toEqual(expect.arrayContaining(['daticert-unreadable', 'signature-absent']));
  });

  it('a broken daticert and a multipart without boundary', async () => {
    const broken = await parsePec(
      await pecMessage({
        headers: ['X-Ricevuta: accettazione'],
        parts: [{ headers: ['Content-Type: application/xml; name="daticert.xml"'], body: '<postacert tipo="accettazione"><dati>' }],
      }),
    );
    expect(broken.kind).toBe('accettazione');
    expect(broken.flags).toContain('daticert-not-well-formed');

    const noBoundary = await parsePec(Buffer.from('X-Ricevuta: accettazione\r\nContent-Type: multipart/mixed\r\n\r\nbody\r\n'));
    expect(noBoundary.kind).toBe('accettazione');
    expect(noBoundary.flags).toEqual(expect.arrayContaining(['mime-multipart-without-boundary:multipart/mixed', 'daticert-missing']));
  });
});
