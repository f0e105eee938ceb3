import { createHash } from 'node:crypto';
import { canonicalJson, chainHash, GENESIS_HASH, type ChainedFields } from './activity-hash.js';
import { ChainWalk, describeVerdict, type StoredEntry } from './chain-walk.js';

const TENANT = '6f1c1f43-9a8e-4f57-9b1e-3f1f0a6c2a10';

function fields(seq: number, prevHash: string, overrides: Partial<ChainedFields> = {}): ChainedFields {
  return {
    tenantId: TENANT,
    seq,
    at: new Date(Date.UTC(2026, 10, 26, 9, 30, seq)),
    actorId: '0b7f3a52-2f4e-4a43-8f6a-2d6b0f2c9e11',
    actorLabel: 'admin@demo.test',
    action: 'auth.sign-in',
    resourceType: 'user',
    resourceId: '0b7f3a52-2f4e-4a43-8f6a-2d6b0f2c9e11',
    details: { channel: 'web' },
    ip: '127.0.0.1',
    prevHash,
    ...overrides,
  };
}

/** A valid chain of `n` entries, as the database would hold it. */
function chain(n: number): StoredEntry[] {
  const entries: StoredEntry[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq += 1) {
    const entry = fields(seq, prev);
    const hash = chainHash(entry);
    entries.push({ ...entry, id: `id-${seq}`, hash });
    prev = hash;
  }
  return entries;
}

function walk(entries: StoredEntry[]): ReturnType<ChainWalk['step']> {
  const w = new ChainWalk();
  for (const entry of entries) {
    const broken = w.step(entry);
    if (broken) return broken;
  }
  return null;
}

describe('canonicalJson', () => {
  it('orders object keys at every depth, whatever order they were written in', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ x: 1, y: { q: 'é', p: true } })).toBe(canonicalJson({ y: { p: true, q: 'é' }, x: 1 }));
  });

  it('drops what JSON (and jsonb) cannot hold, and writes dates as ISO strings', () => {
    expect(canonicalJson({ a: undefined, b: new Date(Date.UTC(2026, 0, 2)), c: [undefined] })).toBe(
      '{"b":"2026-01-02T00:00:00.000Z","c":[null]}',
    );
  });
});

describe('chainHash', () => {
  it('is sha256 hex of the previous hash followed by the canonical JSON of the entry', () => {
    const entry = fields(1, GENESIS_HASH);
    const expected = createHash('sha256')
      .update(
        GENESIS_HASH +
          '{"action":"auth.sign-in","actor":{"id":"0b7f3a52-2f4e-4a43-8f6a-2d6b0f2c9e11","label":"admin@demo.test"},' +
          '"at":"2026-11-26T09:30:01.000Z","details":{"channel":"web"},"ip":"127.0.0.1",' +
          '"resource":{"id":"0b7f3a52-2f4e-4a43-8f6a-2d6b0f2c9e11","type":"user"},"seq":1,' +
          `"tenantId":"${TENANT}"}`,
      )
      .digest('hex');
    expect(chainHash(entry)).toBe(expected);
    expect(chainHash(entry)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on the key order of the details (jsonb reorders them)', () => {
    const a = fields(3, GENESIS_HASH, { details: { email: 'x@y.test', reason: 'invalid', nested: { b: 2, a: 1 } } });
    const b = fields(3, GENESIS_HASH, { details: { nested: { a: 1, b: 2 }, reason: 'invalid', email: 'x@y.test' } });
    expect(chainHash(a)).toBe(chainHash(b));
  });

  it('changes with every covered field and with the previous hash', () => {
    const base = chainHash(fields(2, GENESIS_HASH));
    const variants: Partial<ChainedFields>[] = [
      { tenantId: '00000000-0000-4000-8000-000000000000' },
      { seq: 3 },
      { at: new Date(Date.UTC(2026, 10, 26, 9, 30, 2, 1)) },
      { actorId: null },
      { actorLabel: 'other@demo.test' },
      { action: 'auth.sign-out' },
      { resourceType: null, resourceId: null },
      { resourceId: 'another' },
      { details: { channel: 'api' } },
      { ip: null },
      { prevHash: 'f'.repeat(64) },
    ];
    for (const change of variants) expect(chainHash(fields(2, GENESIS_HASH, change))).not.toBe(base);
  });
});

describe('ChainWalk', () => {
  it('accepts an intact chain and counts it', () => {
    const w = new ChainWalk();
    for (const entry of chain(5)) expect(w.step(entry)).toBeNull();
    expect(w.count).toBe(5);
    expect(describeVerdict({ ok: true, count: w.count })).toBe('ok 5 entries');
  });

  it('names an edited entry as a hash mismatch', () => {
    const entries = chain(5);
    entries[2] = { ...entries[2]!, details: { channel: 'forged' } };
    expect(walk(entries)).toEqual({ seq: 3, id: 'id-3', reason: 'hash-mismatch' });
  });

  it('names an entry re-hashed after an edit by the broken link that follows it', () => {
    const entries = chain(5);
    const forged = { ...entries[1]!, actorLabel: 'someone-else@demo.test' };
    entries[1] = { ...forged, hash: chainHash(forged) };
    expect(walk(entries)).toEqual({ seq: 3, id: 'id-3', reason: 'broken-link' });
  });

  it('names the entry after a removed one as following a missing entry', () => {
    const entries = chain(5);
    entries.splice(2, 1);
    expect(walk(entries)).toEqual({ seq: 4, id: 'id-4', reason: 'missing-entry' });
    expect(walk(chain(3).slice(1))).toEqual({ seq: 2, id: 'id-2', reason: 'missing-entry' });
  });

  it('refuses a first entry that does not start from the genesis hash', () => {
    const first = fields(1, 'a'.repeat(64));
    expect(walk([{ ...first, id: 'id-1', hash: chainHash(first) }])).toEqual({ seq: 1, id: 'id-1', reason: 'broken-link' });
  });

  it('describes the first break for the command line', () => {
    expect(describeVerdict({ ok: false, count: 2, firstBad: { seq: 3, id: 'id-3', reason: 'hash-mismatch' } })).toBe(
      'broken at entry #3 (id id-3): hash-mismatch',
    );
  });
});
