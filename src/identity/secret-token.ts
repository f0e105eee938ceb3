import { createHash, randomBytes } from 'node:crypto';

/** A random secret for the client and the hash we keep: a leaked table grants nothing. */
export function newSecretToken(prefix = ''): { token: string; hash: Buffer } {
  const token = prefix + randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
