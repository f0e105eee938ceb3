import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signals thrown by a process, to relay to the other instances of the workspace: an outbox row written
 * in the throwing step's transaction, a queue job after the commit (id = the row's id), and
 * re-derivation of the pending rows at worker start, so a crash between the two loses no signal.
 */
export class ThrownSignals1765700000002 implements MigrationInterface {
  name = 'ThrownSignals1765700000002';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE thrown_signals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        instance_id uuid NOT NULL REFERENCES process_instances(id) ON DELETE CASCADE,
        signal_name text NOT NULL,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'relayed')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX thrown_signals_pending ON thrown_signals (tenant_id) WHERE state = 'pending'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE thrown_signals`);
  }
}
