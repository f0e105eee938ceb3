import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * BPMN signals: an instance keeps the names of the signals its waiting elements catch (rewritten at
 * every save, like waiting_messages), so a broadcast finds every instance of the workspace that
 * catches it with one indexed query. A signal delivered with an id is remembered once per workspace
 * with whom it reached, so a repeated delivery answers the same and moves nothing.
 */
export class ProcessSignals1765700000001 implements MigrationInterface {
  name = 'ProcessSignals1765700000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE process_instances ADD COLUMN waiting_signals text[] NOT NULL DEFAULT '{}'`);
    // Unlike a message (business key first), a signal addresses the whole workspace: this index is the lookup.
    await runner.query(`CREATE INDEX process_instances_waiting_signals ON process_instances USING gin (waiting_signals)`);
    await runner.query(`
      CREATE TABLE delivered_signals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        signal_id text NOT NULL,
        signal_name text NOT NULL,
        reached uuid[] NOT NULL,
        started uuid[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT delivered_signals_once UNIQUE (tenant_id, signal_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE delivered_signals`);
    await runner.query(`ALTER TABLE process_instances DROP COLUMN waiting_signals`);
  }
}
