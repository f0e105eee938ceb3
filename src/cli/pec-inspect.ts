import { readFile } from 'node:fs/promises';
import { parsePec } from '../pec/pec-parser.js';

/**
 * `pecflow pec inspect <file>`: the parse of one message as JSON. Loaded on its own by main.ts so
 * that reading a file does not pay for importing Nest, TypeORM and every module (seconds).
 * Exit codes: 0 for anything readable (even a not-pec or damaged message), 66 for an unreadable file.
 */
export async function inspectPec(file: string): Promise<number> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    console.error(`pec inspect: cannot read ${file}: ${reason}`);
    return 66;
  }
  console.log(JSON.stringify(await parsePec(raw), null, 2));
  return 0;
}
