import type { EntityManager } from 'typeorm';

/** One table's INSERT as text, its values appended to the statement's parameters; null: no rows. */
export type Insertion = (params: unknown[]) => string | null;

/**
 * Runs several inserts as one statement (`WITH a AS (INSERT …), b AS (INSERT …) INSERT …`): one round
 * trip, and atomic on its own, so a write made only of inserts needs no BEGIN and COMMIT around it.
 * Every part runs to completion and foreign keys are checked at the end of the statement, so a row may
 * reference one inserted by another part (its key given by the caller, as the parts see one snapshot).
 */
export async function insertTogether(manager: EntityManager, insertions: readonly Insertion[]): Promise<void> {
  const params: unknown[] = [];
  const statements = insertions.flatMap((insertion) => insertion(params) ?? []);
  const last = statements.pop();
  if (last === undefined) return;
  const parts = statements.map((statement, index) => `w${index} AS (${statement})`);
  await manager.query(parts.length > 0 ? `WITH ${parts.join(', ')} ${last}` : last, params);
}
