import { normaliseMessageId } from './headers.js';
import { elements, localName, parseXml, textOf } from './xml.js';

/** `daticert.xml` as the RT §7.3.3 DTD describes it (pec-protocol.md §5), read leniently. */
export interface Daticert {
  tipo?: string;
  errore?: string;
  mittente?: string;
  destinatari: { address: string; tipo?: string }[];
  risposte?: string;
  oggetto?: string;
  gestoreEmittente?: string;
  /** `giorno` + `ora` + `zona` as ISO 8601 with the offset, e.g. 2021-12-14T14:54:32+01:00. */
  data?: string;
  identificativo?: string;
  msgid?: string;
  ricevuta?: string;
  consegna?: string;
  ricezione: string[];
  erroreEsteso?: string;
}

/**
 * Reads daticert.xml bytes. Namespaces are ignored (elements are matched by local name), the
 * encoding comes from the XML declaration, stray text is tolerated; what cannot be read goes to
 * `flags` and the fields found so far are still returned.
 */
export function parseDaticert(bytes: Buffer, flags: string[]): Daticert | undefined {
  const { root, wellFormed } = parseXml(bytes);
  if (!wellFormed) flags.push('daticert-not-well-formed');
  if (!root || localName(root) !== 'postacert') {
    flags.push('daticert-unreadable');
    return undefined;
  }
  const text = (name: string) => textOf(root, name);
  const first = (parent: typeof root, name: string) => elements(parent, name)[0];
  const data = first(root, 'data');
  const result: Daticert = {
    tipo: root.getAttribute('tipo')?.trim() || undefined,
    // The DTD default: a daticert without the attribute reports no error.
    errore: root.getAttribute('errore')?.trim() || 'nessuno',
    mittente: text('mittente'),
    destinatari: elements(root, 'destinatari')
      .map((e) => ({ address: e.textContent?.trim() ?? '', tipo: e.getAttribute('tipo')?.trim() || undefined }))
      .filter((d) => d.address),
    risposte: text('risposte'),
    oggetto: text('oggetto'),
    gestoreEmittente: text('gestore-emittente'),
    identificativo: text('identificativo'),
    // The value is an escaped `&lt;id&gt;`: the parser decodes the entities, then the brackets go.
    msgid: normaliseMessageId(text('msgid')),
    ricevuta: first(root, 'ricevuta')?.getAttribute('tipo')?.trim() || undefined,
    consegna: text('consegna'),
    ricezione: elements(root, 'ricezione')
      .map((e) => e.textContent?.trim() ?? '')
      .filter(Boolean),
    erroreEsteso: text('errore-esteso'),
  };
  if (data) {
    const iso = certifiedTime(first(data, 'giorno')?.textContent, first(data, 'ora')?.textContent, data.getAttribute('zona'));
    if (iso) result.data = iso;
    else flags.push('daticert-date-unreadable');
  }
  // The DTD allows one <consegna>: a receipt is about one recipient. More is kept visible, not merged.
  const consegne = elements(root, 'consegna').length;
  if (consegne > 1) flags.push(`daticert-consegna-repeated:${consegne}`);
  if (!result.tipo) flags.push('daticert-without-tipo');
  if (!result.identificativo) flags.push('daticert-without-identificativo');
  return result;
}

/** `14/12/2021` + `14:54:32` + `+0100` → `2021-12-14T14:54:32+01:00`; undefined when any piece is off. */
export function certifiedTime(giorno?: string | null, ora?: string | null, zona?: string | null): string | undefined {
  const day = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(giorno?.trim() ?? '');
  const time = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(ora?.trim() ?? '');
  const zone = /^([+-])(\d{2}):?(\d{2})$/.exec(zona?.trim() ?? '');
  if (!day || !time || !zone) return undefined;
  const [d = 0, m = 0, y = 0, h = 0, min = 0, sec = 0] = [day[1], day[2], day[3], time[1], time[2], time[3] ?? '0'].map(Number);
  // Date.parse accepts 31/02; a calendar round trip does not.
  const calendar = new Date(Date.UTC(y, m - 1, d));
  if (calendar.getUTCMonth() !== m - 1 || calendar.getUTCDate() !== d || h > 23 || min > 59 || sec > 59) return undefined;
  const pad = (v: number) => String(v).padStart(2, '0');
  return `${y}-${pad(m)}-${pad(d)}T${pad(h)}:${pad(min)}:${pad(sec)}${zone[1]}${zone[2]}:${zone[3]}`;
}
