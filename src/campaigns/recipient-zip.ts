import JSZip from 'jszip';
import { posix } from 'node:path';

export interface ZipEntry {
  /** The file's own name (folders in the archive are ignored): what the attachment column names. */
  name: string;
  content: Buffer;
}

export interface ZipLimits {
  maxFiles: number;
  /** Uncompressed, per file and for the whole archive: counted while inflating, so a ZIP bomb stops at the limit. */
  maxFileBytes: number;
  maxTotalBytes: number;
}

export type ZipRefusal = 'unreadable' | 'unsafe-path' | 'too-many-files' | 'too-large' | 'duplicate-name';

/** The archive is refused as a whole; `code` is stable (translated as `campaigns.zip.<code>`). */
export class ZipRefusedError extends Error {
  override readonly name = 'ZipRefusedError';

  constructor(
    readonly code: ZipRefusal,
    readonly params: Record<string, string | number> = {},
  ) {
    super(`recipient attachments zip: ${code}`);
  }
}

/**
 * The files of the per-recipient attachments ZIP, read in memory (nothing is written to disk, so no entry can
 * land outside a folder; a name that tries to, `../x` or `/etc/x`, marks a hostile archive and refuses it).
 * The sizes the archive declares are not trusted: bytes are counted as they inflate.
 */
export async function readAttachmentZip(bytes: Buffer, limits: ZipLimits): Promise<ZipEntry[]> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes, { checkCRC32: true });
  } catch (error) {
    throw new ZipRefusedError('unreadable', { reason: error instanceof Error ? error.message : String(error) });
  }
  const files = Object.values(zip.files).filter((entry) => !entry.dir);
  if (files.length > limits.maxFiles) throw new ZipRefusedError('too-many-files', { max: limits.maxFiles });

  const entries: ZipEntry[] = [];
  const seen = new Set<string>();
  let total = 0;
  for (const file of files) {
    // jszip resolves `../` away when it loads; the name as written in the archive is what tells a hostile one.
    const written = file.unsafeOriginalName ?? file.name;
    const name = safeName(written);
    if (name === null) throw new ZipRefusedError('unsafe-path', { value: written.slice(0, 200) });
    // macOS adds ._name resource forks and __MACOSX folders to every archive it makes; they are not attachments.
    if (name.startsWith('._') || file.name.startsWith('__MACOSX/')) continue;
    const key = name.toLowerCase();
    if (seen.has(key)) throw new ZipRefusedError('duplicate-name', { value: name });
    seen.add(key);
    const content = await inflate(file, limits, limits.maxTotalBytes - total, name);
    total += content.length;
    entries.push({ name, content });
  }
  return entries;
}

/** The entry's base name, or null when its path is absolute, climbs out (`..`) or uses backslashes as a way round. */
function safeName(path: string): string | null {
  if (path.includes('\\') || path.includes('\0') || path.startsWith('/') || /^[a-z]:/i.test(path)) return null;
  if (path.split('/').some((part) => part === '..')) return null;
  const name = posix.basename(path);
  return name === '' || name === '.' ? null : name;
}

function inflate(file: JSZip.JSZipObject, limits: ZipLimits, left: number, name: string): Promise<Buffer> {
  const cap = Math.min(limits.maxFileBytes, left);
  const max = cap === limits.maxFileBytes ? limits.maxFileBytes : limits.maxTotalBytes;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // jszip's stream is an old-style readable (no async iteration), so it is read through its events.
    const stream = file.nodeStream('nodebuffer');
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= cap) {
        chunks.push(chunk);
        return;
      }
      // Stop inflating at once: the rest of a bomb is never produced.
      stream.pause();
      stream.removeAllListeners('data');
      reject(new ZipRefusedError('too-large', { value: name, max }));
    });
    stream.on('error', (error: Error) => reject(new ZipRefusedError('unreadable', { reason: error.message })));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}
