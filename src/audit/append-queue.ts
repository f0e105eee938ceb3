import type { ChainTail, NewActivityEntry } from './activity-log.repository.js';

type Build = (tail: ChainTail) => NewActivityEntry;
type Write = (tenantId: string, builds: Build[]) => Promise<void>;

interface Waiting {
  build: Build;
  done: (error?: Error) => void;
}

/**
 * Group commit for a tenant's chain. Appends take turns under the tenant's lock, five round trips
 * each: when one is in flight, the entries recorded meanwhile wait and go together in the next
 * transaction, in the order they were recorded. A lone entry is written at once, as before; under
 * load (a process start records one) the lock is taken once per batch instead of once per entry
 * (docs/decisions/0018). Each caller still resolves only once its own entry is stored.
 */
export class AppendQueue {
  private readonly waiting = new Map<string, Waiting[]>();

  constructor(private readonly write: Write) {}

  add(tenantId: string, build: Build): Promise<void> {
    return new Promise((resolve, reject) => {
      const entry: Waiting = { build, done: (error) => (error === undefined ? resolve() : reject(error)) };
      const queue = this.waiting.get(tenantId);
      if (queue) {
        queue.push(entry);
        return;
      }
      this.waiting.set(tenantId, [entry]);
      void this.drain(tenantId);
    });
  }

  /** Writes the tenant's waiting entries a batch at a time until none is left. */
  private async drain(tenantId: string): Promise<void> {
    // The first entry writes alone: the queue stays registered so later ones gather behind it.
    let batch = this.waiting.get(tenantId)!.splice(0);
    while (batch.length > 0) {
      await this.writeBatch(tenantId, batch);
      batch = this.waiting.get(tenantId)!.splice(0);
    }
    this.waiting.delete(tenantId);
  }

  private async writeBatch(tenantId: string, batch: Waiting[]): Promise<void> {
    try {
      await this.write(
        tenantId,
        batch.map((entry) => entry.build),
      );
      for (const entry of batch) entry.done();
    } catch (error) {
      if (batch.length === 1) return batch[0]!.done(error instanceof Error ? error : new Error(String(error)));
      // One entry's failure must not fail the others' actions: each is tried on its own.
      for (const entry of batch) await this.writeBatch(tenantId, [entry]);
    }
  }
}
