import { decodeWindows1252 } from './windows-1252.js';

/**
 * What an uploaded file is, from its bytes: names and MIME types lie (a CSV saved as .xls, an .xlsx renamed .csv).
 */
export type SniffedFile =
  | { kind: 'zip' }
  | { kind: 'text'; text: string }
  /** A format we recognise but do not read, named so the message can say "save it as .xlsx". */
  | { kind: 'other'; format: 'xls' | 'ods' | 'pdf' | 'binary' };

// "PK" and the signature of a local file header, an empty archive or a spanned one (APPNOTE 4.3.7, 4.3.16, 8.5.3).
const ZIP_SIGNATURES = [
  [0x50, 0x4b, 0x03, 0x04],
  [0x50, 0x4b, 0x05, 0x06],
  [0x50, 0x4b, 0x07, 0x08],
];
const OLE2 = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]; // Excel 97-2003 .xls
const PDF = [0x25, 0x50, 0x44, 0x46]; // "%PDF"
// OpenDocument puts an uncompressed "mimetype" entry first (ODF 1.2 part 3 §3.3), so its value sits at a fixed place.
const ODS_MIMETYPE = 'mimetypeapplication/vnd.oasis.opendocument.spreadsheet';

export function sniffFile(bytes: Buffer): SniffedFile {
  if (ZIP_SIGNATURES.some((signature) => startsWith(bytes, signature))) {
    return bytes.subarray(30, 30 + ODS_MIMETYPE.length).toString('latin1') === ODS_MIMETYPE
      ? { kind: 'other', format: 'ods' }
      : { kind: 'zip' };
  }
  if (startsWith(bytes, OLE2)) return { kind: 'other', format: 'xls' };
  if (startsWith(bytes, PDF)) return { kind: 'other', format: 'pdf' };
  const text = decodeText(bytes);
  return looksBinary(text) ? { kind: 'other', format: 'binary' } : { kind: 'text', text };
}

/**
 * Excel saves "CSV UTF-8" with a BOM, plain "CSV" in the Windows code page (1252 in Italy) and "Unicode text" as
 * UTF-16 LE; other tools write UTF-8 without a BOM. Bytes that are valid UTF-8 are almost never meant as 1252.
 */
export function decodeText(bytes: Buffer): string {
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  if (startsWith(bytes, [0xff, 0xfe])) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (startsWith(bytes, [0xfe, 0xff])) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return decodeWindows1252(bytes);
  }
}

/** Text files have no NULs and almost no control characters; random or binary data has plenty (1 in 10 bytes). */
function looksBinary(text: string): boolean {
  let controls = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0) return true;
    // Tab, LF, VT (a line break inside a cell for some exporters), FF and CR are text.
    if (code < 0x20 ? code < 0x09 || code > 0x0d : code === 0x7f) controls++;
  }
  return controls > 0 && controls / text.length > 0.02;
}

function startsWith(bytes: Buffer, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, index) => bytes[index] === byte);
}
