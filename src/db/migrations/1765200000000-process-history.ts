import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Process history: one append-only line per thing that happened to an instance (element started,
 * completed or cancelled, timer fired, message correlated, task created/claimed/released/completed),
 * with who did it when a person did. The lines of a step are written in the step's transaction.
 * actor_id has no foreign key: the history keeps who acted even after that account is removed.
 */
export class ProcessHistory1765200000000 implements MigrationInterface {
  name = 'ProcessHistory1765200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE process_history (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        instance_id uuid NOT NULL REFERENCES process_instances(id) ON DELETE CASCADE,
        task_id uuid REFERENCES tasks(id) ON DELETE CASCADE,
        element_id text,
        element_type text,
        element_name text,
        event text NOT NULL,
        actor_id uuid,
        at timestamptz NOT NULL DEFAULT now(),
        details jsonb NOT NULL DEFAULT '{}'
      )`);
    await runner.query(`CREATE INDEX process_history_instance ON process_history (tenant_id, instance_id, seq)`);
    await runner.query(`CREATE INDEX process_history_task ON process_history (tenant_id, task_id, seq) WHERE task_id IS NOT NULL`);
    // The instance list filters by definition and status and shows the newest first.
    await runner.query(`CREATE INDEX process_instances_listing ON process_instances (tenant_id, created_at DESC)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX process_instances_listing`);
    await runner.query(`DROP TABLE process_history`);
  }
}
