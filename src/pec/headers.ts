/** One header field as it appeared, unfolded (RFC 5322 §2.2.3) but not RFC 2047-decoded. */
export interface HeaderField {
  name: string;
  value: string;
}

/**
 * The header block of a message or MIME part. Names are matched case-insensitively: Sogei and
 * go-pec write `X-Tiporicevuta` where Aruba writes `X-TipoRicevuta` (pec-protocol.md §3).
 */
export class HeaderList {
  constructor(readonly fields: HeaderField[]) {}

  /** Parses a raw header block (latin1 string, so one char per byte). Lines that are not `name: value` are reported. */
  static parse(block: string): { headers: HeaderList; malformed: number } {
    const fields: HeaderField[] = [];
    let malformed = 0;
    for (const line of block.split(/\r?\n/)) {
      if (/^[ \t]/.test(line) && fields.length > 0) {
        fields[fields.length - 1]!.value += ` ${line.trim()}`;
        continue;
      }
      if (line.trim() === '') continue;
      const colon = line.indexOf(':');
      if (colon <= 0 || /[\s]/.test(line.slice(0, colon).trim()) || !line.slice(0, colon).trim()) {
        malformed++;
        continue;
      }
      fields.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
    }
    return { headers: new HeaderList(fields), malformed };
  }

  get(name: string): string | undefined {
    const wanted = name.toLowerCase();
    return this.fields.find((f) => f.name.toLowerCase() === wanted)?.value;
  }

  all(name: string): string[] {
    const wanted = name.toLowerCase();
    return this.fields.filter((f) => f.name.toLowerCase() === wanted).map((f) => f.value);
  }
}

/** A Message-ID as the correlator compares it: trimmed, without the surrounding angle brackets, case kept. */
export function normaliseMessageId(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const id = value.trim().replace(/^<\s*/, '').replace(/\s*>$/, '').trim();
  return id || undefined;
}

/**
 * Splits a structured header value such as Content-Type into its lowercased main value and its
 * parameters (quoted or not; RFC 2231 `name*=charset''pct-encoded` and `name*0=` continuations joined).
 */
export function parseParameterised(value: string | undefined): { value: string; params: Record<string, string> } {
  if (!value) return { value: '', params: {} };
  const [main = '', ...rest] = splitOutsideQuotes(value, ';');
  const params: Record<string, string> = {};
  const continued: Record<string, string[]> = {};
  for (const piece of rest) {
    const eq = piece.indexOf('=');
    if (eq <= 0) continue;
    let key = piece.slice(0, eq).trim().toLowerCase();
    let raw = piece.slice(eq + 1).trim();
    if (raw.startsWith('"')) raw = raw.slice(1, raw.endsWith('"') && raw.length > 1 ? -1 : undefined).replace(/\\(.)/g, '$1');
    const section = /^(.+?)\*(\d+)\*?$/.exec(key);
    const extended = key.endsWith('*');
    if (extended) raw = decodeExtended(raw);
    if (section) {
      (continued[section[1]!] ??= [])[Number(section[2])] = raw;
      continue;
    }
    if (extended) key = key.slice(0, -1);
    params[key] = raw;
  }
  for (const [key, pieces] of Object.entries(continued)) params[key] ??= pieces.join('');
  return { value: main.trim().toLowerCase(), params };
}

function splitOutsideQuotes(value: string, separator: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && quoted) {
      current += c + (value[++i] ?? '');
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === separator && !quoted) {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out;
}

function decodeExtended(raw: string): string {
  const match = /^([^']*)'[^']*'(.*)$/.exec(raw);
  const text = match ? match[2]! : raw;
  try {
    const bytes = Buffer.from(
      text.replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    );
    return /^(utf-?8)?$/i.test(match?.[1] ?? '') ? bytes.toString('utf8') : bytes.toString('latin1');
  } catch {
    return text;
  }
}
