import { daticertXml } from '../../test/support/pec-messages.js';
import { certifiedTime, parseDaticert } from './daticert.js';

const read = (xml: string | Buffer) => {
  const flags: string[] = [];
  const daticert = parseDaticert(typeof xml === 'string' ? Buffer.from(xml) : xml, flags);
  return { daticert, flags };
};

describe('daticert.xml', () => {
  it('reads every element of the DTD, the escaped msgid without its brackets, each destinatari with its tipo', () => {
    const { daticert, flags } = read(
      daticertXml({
        tipo: 'errore-consegna',
        errore: 'no-dest',
        destinatari: [
          { address: 'a@pec.cliente.test', tipo: 'certificato' },
          { address: 'b@gmail.test', tipo: 'esterno' },
        ],
        consegna: 'a@pec.cliente.test',
        erroreEsteso: '5.1.1 - Provider - indirizzo non valido',
        ricevuta: 'completa',
        ricezione: ['a@pec.cliente.test'],
      }),
    );
    expect(flags).toEqual([]);
    expect(daticert).toEqual({
      tipo: 'errore-consegna',
      errore: 'no-dest',
      mittente: 'ufficio@pec.demo.test',
      destinatari: [
        { address: 'a@pec.cliente.test', tipo: 'certificato' },
        { address: 'b@gmail.test', tipo: 'esterno' },
      ],
      risposte: 'ufficio@pec.demo.test',
      oggetto: 'Avviso di pagamento n. 42',
      gestoreEmittente: 'PROVIDER PEC S.p.A.',
      data: '2026-11-26T10:00:05+01:00',
      identificativo: 'opec210312.20261126100000.12345.67.1.89@pec.provider.test',
      msgid: 'pf-01JD2Q7X8M3K@pec.demo.test',
      ricevuta: 'completa',
      consegna: 'a@pec.cliente.test',
      ricezione: ['a@pec.cliente.test'],
      erroreEsteso: '5.1.1 - Provider - indirizzo non valido',
    });
  });

  it('reads the same with a namespace, without an XML declaration, and in ISO-8859-1', () => {
    const oggetto = 'Comunicazione è già pronta';
    const plain = read(daticertXml({ tipo: 'accettazione', oggetto })).daticert;
    expect(
      read(daticertXml({ tipo: 'accettazione', oggetto, namespace: 'http://www.cnipa.it/schemas/2003/posta/daticert' })).daticert,
    ).toEqual(plain);
    expect(read(daticertXml({ tipo: 'accettazione', oggetto, encoding: null })).daticert).toEqual(plain);
    expect(read(Buffer.from(daticertXml({ tipo: 'accettazione', oggetto, encoding: 'ISO-8859-1' }), 'latin1')).daticert).toEqual(plain);
    expect(plain?.oggetto).toBe(oggetto);
  });

  it('tolerates stray text, a trailing CRLF, a missing msgid and a missing errore attribute (DTD default nessuno)', () => {
    const xml =
      daticertXml({ tipo: 'accettazione', msgid: null }).replace('</risposte>', '</risposte>a').replace(' errore="nessuno"', '') + '\r\n';
    const { daticert, flags } = read(xml);
    expect(flags).toEqual([]);
    expect(daticert).toMatchObject({ tipo: 'accettazione', errore: 'nessuno', risposte: 'ufficio@pec.demo.test' });
    expect(daticert?.msgid).toBeUndefined();
  });

  it('flags what it cannot read and returns nothing for XML that is not a daticert', () => {
    expect(read('<postacert tipo="accettazione"><dati>')).toMatchObject({ flags: expect.arrayContaining(['daticert-not-well-formed']) });
    expect(read('<html><body>no</body></html>')).toEqual({ daticert: undefined, flags: ['daticert-unreadable'] });
    expect(read('not xml at all').daticert).toBeUndefined();
    const badDate = read(daticertXml({ tipo: 'accettazione', giorno: '2026-11-26' }));
    expect(badDate.flags).toEqual(['daticert-date-unreadable']);
    expect(badDate.daticert?.data).toBeUndefined();
    const twice = read(
      daticertXml({ tipo: 'avvenuta-consegna', consegna: 'a@pec.cliente.test' }).replace(
        '</consegna>',
        '</consegna><consegna>b@pec.cliente.test</consegna>',
      ),
    );
    expect(twice).toMatchObject({ daticert: { consegna: 'a@pec.cliente.test' }, flags: ['daticert-consegna-repeated:2'] });
    expect(read('<postacert><intestazione/><dati/></postacert>').flags).toEqual([
      'daticert-without-tipo',
      'daticert-without-identificativo',
    ]);
  });

  it('turns giorno, ora and zona into ISO 8601 with the offset', () => {
    expect(certifiedTime('14/12/2021', '14:54:32', '+0100')).toBe('2021-12-14T14:54:32+01:00');
    expect(certifiedTime('1/7/2026', '9:05:00', '+0200')).toBe('2026-07-01T09:05:00+02:00');
    expect(certifiedTime('01/07/2026', '09:05:00', '-0530')).toBe('2026-07-01T09:05:00-05:30');
    expect(certifiedTime('31/02/2026', '09:05:00', '+0100')).toBeUndefined();
    expect(certifiedTime('01/07/2026', '09:05:00', 'CET')).toBeUndefined();
  });
});
