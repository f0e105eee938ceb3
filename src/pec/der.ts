/**
 * A minimal DER reader: the elements of a structure as slices of the input, nothing decoded that is
 * not asked for. The signature check walks the CMS with it because asn1js decodes every certificate
 * of the chain into objects, most of the parser's time (docs/decisions/0032); anything it does not
 * read (BER's indefinite lengths, tags above 30) makes it throw, and the caller falls back to pkijs.
 */
export interface DerElement {
  /** The identifier octet: class, constructed bit and tag number. */
  tag: number;
  /** The whole element, identifier and length included. */
  bytes: Buffer;
  content: Buffer;
}

export const DER = {
  INTEGER: 0x02,
  OCTET_STRING: 0x04,
  OID: 0x06,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
  /** [0] constructed, context-specific. */
  CONTEXT_0: 0xa0,
} as const;

/** The element at `offset` of `input`. */
export function derAt(input: Buffer, offset = 0): DerElement {
  const tag = input[offset];
  if (tag === undefined || (tag & 0x1f) === 0x1f) throw new Error('unsupported DER tag');
  let length = input[offset + 1];
  let header = 2;
  if (length === undefined || length === 0x80) throw new Error('indefinite or missing DER length');
  if (length > 0x80) {
    const octets = length & 0x7f;
    if (octets > 4) throw new Error('DER length too long');
    length = 0;
    for (let i = 0; i < octets; i += 1) length = length * 256 + input[offset + 2 + i]!;
    header += octets;
  }
  const end = offset + header + length;
  if (end > input.length) throw new Error('DER element beyond its input');
  return { tag, bytes: input.subarray(offset, end), content: input.subarray(offset + header, end) };
}

/** The elements inside a constructed element. */
export function derChildren(element: DerElement): DerElement[] {
  const children: DerElement[] = [];
  for (let offset = 0; offset < element.content.length;) {
    const child = derAt(element.content, offset);
    children.push(child);
    offset += child.bytes.length;
  }
  return children;
}

/** An OBJECT IDENTIFIER's dotted form. */
export function derOid(element: DerElement): string {
  if (element.tag !== DER.OID) throw new Error('not an OBJECT IDENTIFIER');
  const parts: number[] = [];
  let value = 0;
  for (const byte of element.content) {
    value = value * 128 + (byte & 0x7f);
    if (byte & 0x80) continue;
    if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
    else parts.push(value);
    value = 0;
  }
  return parts.join('.');
}

/** A UTCTime or GeneralizedTime in the Z form DER requires, as a Date. */
export function derTime(element: DerElement): Date {
  const text = element.content.toString('latin1');
  const match =
    element.tag === DER.UTC_TIME
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
      : element.tag === DER.GENERALIZED_TIME
        ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,3}))?Z$/.exec(text)
        : null;
  if (!match) throw new Error('not a DER time');
  const [, y, mo, d, h, mi, s, fraction] = match;
  // RFC 5280 §4.1.2.5.1: a two-digit year below 50 is 20YY.
  const year = y!.length === 2 ? (Number(y) < 50 ? 2000 : 1900) + Number(y) : Number(y);
  return new Date(Date.UTC(year, Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number((fraction ?? '').padEnd(3, '0'))));
}
