import { HeaderList, parseParameterised } from './headers.js';

/**
 * A MIME entity with the exact bytes it was made of. mailparser decodes and discards those bytes,
 * but an S/MIME signature covers them exactly, so the PEC envelope is split here by boundaries
 * (RFC 2046 §5.1.1) and mailparser is only given the parts we show to people.
 */
export interface MimeEntity {
  headers: HeaderList;
  /** Lowercased `type/subtype`; `text/plain` when absent (RFC 2045 §5.2). */
  contentType: string;
  params: Record<string, string>;
  /** The whole entity: header block, separator and body, as received. */
  raw: Buffer;
  /** The body as received (still transfer-encoded). */
  body: Buffer;
  children: MimeEntity[];
}

/** Multipart nesting deeper than this is not followed (a defence against crafted input, not a PEC limit). */
const MAX_DEPTH = 20;

/** Parses a message or part; problems go to `flags`, nothing throws on malformed input. */
export function parseMimeEntity(raw: Buffer, flags: string[], depth = 0): MimeEntity {
  const text = raw.toString('latin1');
  // A part may start with its blank line (no headers at all): check that before looking for one further on.
  const separator = /^\r?\n/.exec(text) ?? /\r?\n\r?\n/.exec(text);
  let headerBlock: string;
  let bodyStart: number;
  if (separator) {
    headerBlock = text.slice(0, separator.index);
    bodyStart = separator.index + separator[0].length;
  } else {
    // Headers with no body (or a truncated message): all headers.
    headerBlock = text;
    bodyStart = text.length;
    if (depth === 0) flags.push('mime-no-body');
  }
  const { headers, malformed } = HeaderList.parse(headerBlock);
  if (malformed > 0) flags.push(`mime-malformed-header-lines:${malformed}`);
  const { value, params } = parseParameterised(headers.get('content-type'));
  const contentType = /^[!-~]+\/[!-~]+$/.test(value) ? value : 'text/plain';
  const body = raw.subarray(bodyStart);
  const entity: MimeEntity = { headers, contentType, params, raw, body, children: [] };
  if (contentType.startsWith('multipart/')) {
    if (depth >= MAX_DEPTH) flags.push('mime-too-deep');
    else if (!params['boundary']) flags.push(`mime-multipart-without-boundary:${contentType}`);
    else entity.children = splitMultipart(body, params['boundary'], flags).map((part) => parseMimeEntity(part, flags, depth + 1));
  }
  return entity;
}

/**
 * The body parts of a multipart body, each exactly as received: the CRLF before a delimiter
 * belongs to the delimiter, not to the part (RFC 2046 §5.1.1).
 */
export function splitMultipart(body: Buffer, boundary: string, flags: string[]): Buffer[] {
  const text = body.toString('latin1');
  const delimiter = `--${boundary}`;
  const parts: Buffer[] = [];
  let partStart = -1;
  let closed = false;
  let lineStart = 0;
  while (lineStart <= text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
    if (line.startsWith(delimiter)) {
      const rest = line.slice(delimiter.length);
      const closing = rest.startsWith('--');
      if (/^\s*$/.test(closing ? rest.slice(2) : rest)) {
        if (partStart >= 0) {
          let end = lineStart;
          if (text[end - 1] === '\n') end--;
          if (text[end - 1] === '\r') end--;
          parts.push(body.subarray(partStart, Math.max(end, partStart)));
        }
        if (closing) {
          closed = true;
          break;
        }
        partStart = newline === -1 ? text.length : newline + 1;
      }
    }
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  if (!closed) {
    flags.push(`mime-multipart-unterminated:${boundary}`);
    // Keep what a truncated message still holds: the last part runs to the end.
    if (partStart >= 0 && partStart < text.length) parts.push(body.subarray(partStart));
  }
  if (parts.length === 0) flags.push(`mime-multipart-empty:${boundary}`);
  return parts;
}

/** The body with its Content-Transfer-Encoding undone (base64, quoted-printable; anything else as is). */
export function decodedBody(entity: MimeEntity): Buffer {
  const encoding = (entity.headers.get('content-transfer-encoding') ?? '').trim().toLowerCase();
  if (encoding === 'base64') return Buffer.from(entity.body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(entity.body);
  return entity.body;
}

function decodeQuotedPrintable(body: Buffer): Buffer {
  const text = body
    .toString('latin1')
    .replace(/[ \t]+(\r?\n)/g, '$1')
    .replace(/=\r?\n/g, '');
  return Buffer.from(
    text.replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  );
}

/** The file name a part declares, from Content-Disposition `filename` or Content-Type `name`. */
export function partName(entity: MimeEntity): string | undefined {
  const disposition = parseParameterised(entity.headers.get('content-disposition'));
  return disposition.params['filename'] ?? entity.params['name'];
}

/** Bare LF line ends turned into CRLF: the canonical form an S/MIME signature is computed over (RFC 8551 §3.1.1). */
export function canonicalCrlf(bytes: Buffer): Buffer {
  const text = bytes.toString('latin1');
  return Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'latin1');
}
