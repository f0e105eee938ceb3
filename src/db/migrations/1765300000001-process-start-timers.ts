import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Timer start events (decision 0012): the engine does not repeat a start-event cycle and arms nothing
 * durable (bpm-anchors §0.19), so each firing of the latest version's start timers is a row here with
 * a BullMQ delayed job; firing N of a (definition, element) exists once, and starts one instance.
 */
export class ProcessStartTimers1765300000001 implements MigrationInterface {
  name = 'ProcessStartTimers1765300000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE process_start_timers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        definition_id uuid NOT NULL REFERENCES process_definitions(id) ON DELETE CASCADE,
        element_id text NOT NULL,
        firing integer NOT NULL,
        due_at timestamptz NOT NULL,
        state text NOT NULL CHECK (state IN ('scheduled', 'fired', 'cancelled')),
        instance_id uuid REFERENCES process_instances(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        fired_at timestamptz,
        CONSTRAINT process_start_timers_firing UNIQUE (tenant_id, definition_id, element_id, firing)
      )`);
    await runner.query(`CREATE INDEX process_start_timers_scheduled ON process_start_timers (due_at) WHERE state = 'scheduled'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE process_start_timers`);
  }
}
