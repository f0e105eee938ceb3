// archiver 5 ships no types (and @types/archiver would be a dependency for four calls); this covers
// what the PEC export uses: a ZIP archive as a readable stream, entries appended one at a time.
declare module 'archiver' {
  import type { Readable } from 'node:stream';

  export interface EntryData {
    name: string;
    date?: Date;
  }

  export interface Archiver extends Readable {
    append(source: Buffer, data: EntryData): this;
    finalize(): Promise<void>;
    abort(): this;
    on(event: 'entry', listener: (entry: EntryData) => void): this;
    on(event: 'warning' | 'error', listener: (error: Error) => void): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }

  export default function archiver(format: 'zip', options?: { zlib?: { level?: number } }): Archiver;
}
