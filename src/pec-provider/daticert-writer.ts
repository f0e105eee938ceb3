import { romeDayAndTime, romeWallClock } from '../i18n/rome-time.js';

/** The daticert `tipo` values (RT §7.4 DTD, pec-protocol.md §5.1). */
export type DaticertTipo =
  | 'accettazione'
  | 'non-accettazione'
  | 'presa-in-carico'
  | 'avvenuta-consegna'
  | 'posta-certificata'
  | 'errore-consegna'
  | 'preavviso-errore-consegna'
  | 'rilevazione-virus';

export type DaticertErrore = 'nessuno' | 'no-dest' | 'no-dominio' | 'virus' | 'altro';
export type ReceiptKind = 'completa' | 'breve' | 'sintetica';

export interface DaticertData {
  tipo: DaticertTipo;
  errore?: DaticertErrore;
  mittente: string;
  destinatari: string[];
  /** The destinatari on ordinary mail domains (`tipo="esterno"`). */
  esterni?: string[];
  risposte: string;
  oggetto: string;
  gestore: string;
  date: Date;
  identificativo: string;
  msgid: string;
  ricevuta?: ReceiptKind;
  consegna?: string;
  /** Presa in carico: the recipients it covers. */
  ricezione?: string[];
  erroreEsteso?: string;
}

/**
 * daticert.xml as the DTD orders it: intestazione (mittente, destinatari+, risposte, oggetto) then
 * dati (gestore-emittente, data, identificativo, msgid, ricevuta, consegna, ricezione*, errore-esteso). The
 * date is Italian local time with its offset, as every provider writes it.
 */
export function daticertXml(data: DaticertData): string {
  const { giorno, ora, zona } = italianTime(data.date);
  const el = (name: string, value: string | undefined) => (value === undefined ? '' : `    <${name}>${escapeXml(value)}</${name}>\n`);
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<postacert tipo="${data.tipo}" errore="${data.errore ?? 'nessuno'}">\n` +
    '  <intestazione>\n' +
    el('mittente', data.mittente) +
    data.destinatari
      .map((address) => {
        const tipo = data.esterni?.includes(address) ? 'esterno' : 'certificato';
        return `    <destinatari tipo="${tipo}">${escapeXml(address)}</destinatari>\n`;
      })
      .join('') +
    el('risposte', data.risposte) +
    el('oggetto', data.oggetto) +
    '  </intestazione>\n' +
    '  <dati>\n' +
    el('gestore-emittente', data.gestore) +
    `    <data zona="${zona}">\n      <giorno>${giorno}</giorno>\n      <ora>${ora}</ora>\n    </data>\n` +
    el('identificativo', data.identificativo) +
    el('msgid', `<${data.msgid}>`) +
    (data.ricevuta ? `    <ricevuta tipo="${data.ricevuta}"/>\n` : '') +
    el('consegna', data.consegna) +
    (data.ricezione ?? []).map((address) => el('ricezione', address)).join('') +
    el('errore-esteso', data.erroreEsteso) +
    '  </dati>\n' +
    '</postacert>\n'
  );
}

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** dd/mm/yyyy, hh:mm:ss and ±hhmm of `date` in Europe/Rome (CET/CEST), the zone Italian providers certify in. */
export function italianTime(date: Date): { giorno: string; ora: string; zona: string } {
  const { day, time } = romeDayAndTime(date);
  const offsetMinutes = Math.round((romeWallClock(date).getTime() - date.getTime()) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return {
    giorno: day,
    ora: time,
    zona: `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`,
  };
}
