import { parseDaticert } from '../pec/daticert.js';
import { daticertXml, italianTime } from './daticert-writer.js';

describe('daticertXml', () => {
  it('writes the DTD order with escaped values, read back by the parser', () => {
    const xml = daticertXml({
      tipo: 'avvenuta-consegna',
      mittente: 'ufficio@pec.demo.test',
      destinatari: ['a@pec.acme.test', 'b@pec.acme.test'],
      risposte: 'ufficio@pec.demo.test',
      oggetto: 'Atti & <allegati>',
      gestore: 'pecflow Gestore PEC di prova',
      date: new Date('2026-07-01T10:00:05Z'),
      identificativo: 'opec2101.x@pec.demo.test',
      msgid: 'm1@pec.demo.test',
      ricevuta: 'breve',
      consegna: 'a@pec.acme.test',
    });
    expect(xml.indexOf('<gestore-emittente>')).toBeLessThan(xml.indexOf('<data zona'));
    expect(xml.indexOf('<msgid>')).toBeLessThan(xml.indexOf('<ricevuta'));
    expect(xml.indexOf('<ricevuta')).toBeLessThan(xml.indexOf('<consegna>'));
    expect(xml).toContain('<msgid>&lt;m1@pec.demo.test&gt;</msgid>');
    const flags: string[] = [];
    const parsed = parseDaticert(Buffer.from(xml), flags);
    expect(flags).toEqual([]);
    expect(parsed).toMatchObject({
      tipo: 'avvenuta-consegna',
      errore: 'nessuno',
      oggetto: 'Atti & <allegati>',
      identificativo: 'opec2101.x@pec.demo.test',
      ricevuta: 'breve',
      consegna: 'a@pec.acme.test',
    });
  });
});

describe('italianTime', () => {
  it('gives Rome local time with +0100 in winter and +0200 in summer', () => {
    expect(italianTime(new Date('2026-01-15T23:30:00Z'))).toEqual({ giorno: '16/01/2026', ora: '00:30:00', zona: '+0100' });
    expect(italianTime(new Date('2026-07-15T10:00:05Z'))).toEqual({ giorno: '15/07/2026', ora: '12:00:05', zona: '+0200' });
  });
});
