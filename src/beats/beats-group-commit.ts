import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/** One movement as `beats_apply` takes it (migration 1767000000000). */
export type BeatsMove = Record<string, string | number | boolean | null | undefined> & { op: 'debit' | 'reserve' | 'release' };

/** What `beats_apply` answered for one move: the row of the function that made it, and the low-balance flag. */
export interface MoveResult {
  row: Record<string, unknown>;
  /** Available beats crossed the low-balance threshold the alert last recorded: the alert should look. */
  checkLow: boolean;
}

interface Waiting {
  move: BeatsMove;
  resolve: (result: MoveResult) => void;
  reject: (error: unknown) => void;
}

/** More moves than this wait for the next statement: a batch holds the account lock while it runs. */
const MAX_BATCH = 64;

/**
 * Group commit of one tenant's movements in this process (docs/decisions/0029-beats-throughput.md).
 * A tenant's movements take turns on its account row until commit (0022), so each one alone costs a
 * commit's WAL flush under that lock. Here, while one statement of a tenant is in flight, the moves
 * that arrive wait, and the next statement takes them all: one `beats_apply` call, one transaction,
 * one flush, each move still checked in order by its own function under the lock. Nothing waits when
 * nothing is in flight, so a lone call is not delayed. If a batch fails (one move's error aborts the
 * transaction, so none of them happened) its moves are run again one by one and only the faulty one fails.
 */
@Injectable()
export class BeatsGroupCommit {
  private readonly waiting = new Map<string, Waiting[]>();
  private readonly draining = new Set<string>();

  constructor(private readonly dataSource: DataSource) {}

  /** Runs a move of `tenantId` in the next statement of that tenant; answers once it is committed. */
  submit(tenantId: string, move: BeatsMove): Promise<MoveResult> {
    return new Promise((resolve, reject) => {
      const queue = this.waiting.get(tenantId) ?? [];
      queue.push({ move, resolve, reject });
      this.waiting.set(tenantId, queue);
      if (!this.draining.has(tenantId)) void this.drain(tenantId);
    });
  }

  /** Runs moves in a caller's transaction (they commit with it): no batching, the caller owns the commit. */
  apply(tenantId: string, moves: BeatsMove[], manager: EntityManager = this.dataSource.manager): Promise<MoveResult[]> {
    return manager
      .query<{ result: Record<string, unknown>; check_low: boolean }[]>(`SELECT result, check_low FROM beats_apply($1, $2) ORDER BY n`, [
        tenantId,
        JSON.stringify(moves),
      ])
      .then((rows) => rows.map((row) => ({ row: row.result, checkLow: row.check_low })));
  }

  private async drain(tenantId: string): Promise<void> {
    this.draining.add(tenantId);
    try {
      for (let batch = this.take(tenantId); batch.length > 0; batch = this.take(tenantId)) await this.run(tenantId, batch);
    } finally {
      this.draining.delete(tenantId);
    }
  }

  private take(tenantId: string): Waiting[] {
    const queue = this.waiting.get(tenantId) ?? [];
    const batch = queue.splice(0, MAX_BATCH);
    if (queue.length === 0) this.waiting.delete(tenantId);
    return batch;
  }

  private async run(tenantId: string, batch: Waiting[]): Promise<void> {
    try {
      const results = await this.apply(
        tenantId,
        batch.map(({ move }) => move),
      );
      batch.forEach((waiting, index) => waiting.resolve(results[index]!));
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      for (const waiting of batch) await this.run(tenantId, [waiting]);
    }
  }
}
