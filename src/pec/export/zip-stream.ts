import { once } from 'node:events';
import type { Writable } from 'node:stream';
import archiver from 'archiver';

/** One file of a streamed ZIP: its content is read only when its turn comes. */
export interface ZipStreamEntry {
  name: string;
  date: Date;
  content(): Promise<Buffer>;
}

/**
 * Writes a ZIP of `entries` to `out`, one entry at a time: the next is read (and unsealed) only once the
 * client has taken the last, so an export of thousands of messages never sits in memory. Calls `written`
 * after each entry; rejects when the archive fails or the client goes away before the end.
 */
export async function writeZip(
  out: Writable,
  entries: AsyncIterable<ZipStreamEntry>,
  written: () => void = () => undefined,
): Promise<void> {
  const archive = archiver('zip', { zlib: { level: 6 } });
  const stop = Promise.race([once(archive, 'error').then(([error]) => Promise.reject(error as Error)), closed(out)]);
  stop.catch(() => undefined);
  archive.pipe(out);
  for await (const entry of entries) {
    const entered = once(archive, 'entry');
    archive.append(await entry.content(), { name: entry.name, date: entry.date });
    await Promise.race([entered, stop]);
    await Promise.race([drained(out), stop]);
    written();
  }
  await Promise.race([archive.finalize(), stop]);
}

/** Until the client has taken what was written: at most one message waits in memory. */
export async function drained(out: Writable): Promise<void> {
  if (out.writableNeedDrain) await once(out, 'drain');
}

/** Rejects when the client goes away before the end: the export stops reading. */
export function closed(out: Writable): Promise<never> {
  return once(out, 'close').then(() => Promise.reject(new Error('the client closed the connection')));
}
