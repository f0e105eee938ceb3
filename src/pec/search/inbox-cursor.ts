/**
 * The keyset cursor of the inbox: the last row's time, with its microseconds (a JavaScript Date would
 * lose them and skip or repeat rows), and its id; opaque to clients.
 */
export function encodeCursor(at: string, id: string): string {
  return Buffer.from(`${at}|${id}`).toString('base64url');
}

const CURSOR = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** `[at, id]`, or null for a string no page of ours handed out. */
export function decodeCursor(cursor: string): [string, string] | null {
  const match = CURSOR.exec(Buffer.from(cursor, 'base64url').toString());
  return match ? [match[1]!, match[2]!] : null;
}
