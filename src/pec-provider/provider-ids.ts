import { randomBytes } from 'node:crypto';

let sequence = 0;

/**
 * A provider message id in the style of the opec ids real gestori use (pec-protocol.md §10):
 * `opec<node>.<YYYYMMDDhhmmss>.<pid>.<random>.<sequence>@<domain>`. Nobody may parse it (ids are
 * opaque); it only has to be unique across provider processes, hence pid + random + sequence.
 */
export function providerId(domain: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  sequence = (sequence + 1) % 1_000_000;
  return `opec2101.${stamp}.${process.pid}.${randomBytes(4).toString('hex')}.${sequence}@${domain}`;
}
