import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Durable timers: the engine's own timers are setTimeouts in one process, lost on a crash and never
 * armed beyond ~24.8 days (bpm-anchors §0.18). Each timer an instance waits on is a row here, and a
 * BullMQ delayed job per scheduled row wakes the instance; the rows are the truth the jobs are
 * re-derived from when Redis loses them.
 */
export class ProcessTimers1764800000000 implements MigrationInterface {
  name = 'ProcessTimers1764800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE process_timers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        instance_id uuid NOT NULL REFERENCES process_instances(id) ON DELETE CASCADE,
        element_id text NOT NULL,
        execution_id text NOT NULL,
        due_at timestamptz NOT NULL,
        state text NOT NULL CHECK (state IN ('scheduled', 'fired', 'cancelled')),
        created_at timestamptz NOT NULL DEFAULT now(),
        fired_at timestamptz,
        -- One row per timer execution: a retried step never schedules the same timer twice.
        CONSTRAINT process_timers_execution UNIQUE (tenant_id, instance_id, execution_id)
      )`);
    // Re-derivation at worker start reads every scheduled timer, across tenants.
    await runner.query(`CREATE INDEX process_timers_scheduled ON process_timers (due_at) WHERE state = 'scheduled'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE process_timers`);
  }
}
