import type { ChainTail, NewActivityEntry } from './activity-log.repository.js';
import { AppendQueue } from './append-queue.js';

type Build = (tail: ChainTail) => NewActivityEntry;

/** A build whose entry is recognisable by its action, and a write that records which builds went together. */
const build =
  (action: string): Build =>
  (tail) =>
    ({ action, seq: tail.nextSeq }) as unknown as NewActivityEntry;

function recorder(fail: (actions: string[]) => boolean = () => false) {
  const batches: string[][] = [];
  let release: () => void = () => undefined;
  const write = async (_tenantId: string, builds: Build[]) => {
    const actions = builds.map((b, i) => b({ nextSeq: i + 1, prevHash: '', now: new Date(0) }).action);
    batches.push(actions);
    // The first write waits until the test lets it go, so that others gather behind it.
    if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
    if (fail(actions)) throw new Error(`refused ${actions.join(',')}`);
  };
  return { batches, write, release: () => release() };
}

describe('AppendQueue (group commit of a tenant chain)', () => {
  it('writes a lone entry at once, and those recorded meanwhile together, in order', async () => {
    const log = recorder();
    const queue = new AppendQueue(log.write);
    const first = queue.add('t1', build('a.first'));
    const later = ['a.second', 'a.third', 'a.fourth'].map((action) => queue.add('t1', build(action)));
    const other = queue.add('t2', build('b.first'));
    await new Promise((resolve) => setImmediate(resolve));
    log.release();
    await Promise.all([first, ...later, other]);
    expect(log.batches).toEqual([['a.first'], ['b.first'], ['a.second', 'a.third', 'a.fourth']]);
  });

  it('tries a failed batch entry by entry: only the bad entry fails', async () => {
    const log = recorder((actions) => actions.includes('a.bad'));
    const queue = new AppendQueue(log.write);
    const first = queue.add('t1', build('a.first'));
    const good = queue.add('t1', build('a.good'));
    const bad = queue.add('t1', build('a.bad'));
    log.release();
    await first;
    await expect(good).resolves.toBeUndefined();
    await expect(bad).rejects.toThrow('refused a.bad');
    expect(log.batches).toEqual([['a.first'], ['a.good', 'a.bad'], ['a.good'], ['a.bad']]);
  });
});
