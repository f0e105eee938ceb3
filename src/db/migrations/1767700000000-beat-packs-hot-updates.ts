import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every debit lowers `beat_packs.remaining`. The live-packs index had `remaining > 0` as its predicate,
 * and an UPDATE of a column an index reads cannot be a heap-only (HOT) update: each debit wrote a new
 * entry in both pack indexes and left a dead one behind for VACUUM, so between two vacuums the lookup
 * of a workspace's first live pack walked a growing list of dead versions of the same row (measured in
 * docs/decisions/0029). Without the predicate the index reads no column a debit changes, and the
 * pack's old versions are pruned in place; a workspace's spent packs are few, and the queries still ask
 * for `remaining > 0`. Half-full pages leave room for the new versions next to the old.
 */
export class BeatPacksHotUpdates1767700000000 implements MigrationInterface {
  name = 'BeatPacksHotUpdates1767700000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX beat_packs_live');
    await runner.query('CREATE INDEX beat_packs_live ON beat_packs (tenant_id, expires_at)');
    await runner.query('ALTER TABLE beat_packs SET (fillfactor = 50)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE beat_packs RESET (fillfactor)');
    await runner.query('DROP INDEX beat_packs_live');
    await runner.query('CREATE INDEX beat_packs_live ON beat_packs (tenant_id, expires_at) WHERE remaining > 0');
  }
}
