import { chainHash, GENESIS_HASH, type ChainedFields } from './activity-hash.js';

/**
 * Why an entry breaks the chain:
 * - `missing-entry`: its number is not the next one, so the entries before it were removed;
 * - `broken-link`: its previous hash is not the hash of the entry before it (altered or replaced);
 * - `hash-mismatch`: its content no longer gives its hash (the row was edited).
 */
export type ChainBreakReason = 'hash-mismatch' | 'missing-entry' | 'broken-link';

export interface ChainBreak {
  seq: number;
  id: string;
  reason: ChainBreakReason;
}

/** `count` is the number of intact entries: all of them, or those before the first break. */
export type ChainVerdict = { ok: true; count: number } | { ok: false; count: number; firstBad: ChainBreak };

export interface StoredEntry extends ChainedFields {
  id: string;
  hash: string;
}

/**
 * Checks a tenant's entries one at a time, in seq order, so a log of any length is verified in
 * batches without holding it in memory.
 */
export class ChainWalk {
  private expectedSeq = 1;
  private previousHash = GENESIS_HASH;
  private intact = 0;

  /** The break this entry makes, or null when it continues the chain. */
  step(entry: StoredEntry): ChainBreak | null {
    const at = (reason: ChainBreakReason): ChainBreak => ({ seq: entry.seq, id: entry.id, reason });
    if (entry.seq !== this.expectedSeq) return at('missing-entry');
    if (entry.prevHash !== this.previousHash) return at('broken-link');
    if (chainHash(entry) !== entry.hash) return at('hash-mismatch');
    this.expectedSeq += 1;
    this.previousHash = entry.hash;
    this.intact += 1;
    return null;
  }

  get count(): number {
    return this.intact;
  }
}

/** One line for people and scripts: `ok N entries`, or the first bad entry and why. */
export function describeVerdict(verdict: ChainVerdict): string {
  if (verdict.ok) return `ok ${verdict.count} entries`;
  const { seq, id, reason } = verdict.firstBad;
  return `broken at entry #${seq} (id ${id}): ${reason}`;
}
