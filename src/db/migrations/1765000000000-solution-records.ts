import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Records of the entities solutions declare in models/: one generic table, the fields in a jsonb
 * document validated against the JSON Schema generated from the model (docs/decisions/0009).
 * One GIN index (jsonb_path_ops) answers every declared equality filter of every model as
 * `data @> '{"status":"open"}'`, so a model change never needs a migration.
 */
export class SolutionRecords1765000000000 implements MigrationInterface {
  name = 'SolutionRecords1765000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE solution_records (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        solution text NOT NULL,
        entity text NOT NULL,
        data jsonb NOT NULL,
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        office_id uuid REFERENCES offices(id) ON DELETE SET NULL,
        process_instance_id uuid REFERENCES process_instances(id) ON DELETE SET NULL,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT solution_records_data_object CHECK (jsonb_typeof(data) = 'object')
      )`);
    // Lists: this tenant, this entity, newest first (the usual sort).
    await runner.query(`CREATE INDEX solution_records_list ON solution_records (tenant_id, solution, entity, created_at DESC)`);
    await runner.query(`CREATE INDEX solution_records_data ON solution_records USING gin (data jsonb_path_ops)`);
    // A task form finds its record through the task's process instance.
    await runner.query(
      `CREATE UNIQUE INDEX solution_records_instance ON solution_records (tenant_id, process_instance_id) WHERE process_instance_id IS NOT NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE solution_records`);
  }
}
