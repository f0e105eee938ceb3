import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Service tasks through plugs: the plug call each waiting service task makes (a queue job per row),
 * the incidents admins retry, the ledger of plug effects by idempotency key, and the key an
 * instance started by another process carries so that the same call never starts two.
 */
export class ServiceTasks1765100000000 implements MigrationInterface {
  name = 'ServiceTasks1765100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE process_service_jobs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        instance_id uuid NOT NULL REFERENCES process_instances(id) ON DELETE CASCADE,
        element_id text NOT NULL,
        execution_id text NOT NULL,
        topic text NOT NULL,
        input jsonb NOT NULL,
        outputs jsonb NOT NULL,
        state text NOT NULL CHECK (state IN ('pending', 'completed', 'incident', 'cancelled')),
        attempts integer NOT NULL DEFAULT 0,
        round integer NOT NULL DEFAULT 0,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT process_service_jobs_once UNIQUE (tenant_id, instance_id, execution_id)
      )`);
    // Re-derivation at worker start reads the pending rows of every tenant.
    await runner.query(`CREATE INDEX process_service_jobs_pending ON process_service_jobs (state) WHERE state = 'pending'`);
    await runner.query(`
      CREATE TABLE process_incidents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        instance_id uuid NOT NULL REFERENCES process_instances(id) ON DELETE CASCADE,
        service_job_id uuid NOT NULL REFERENCES process_service_jobs(id) ON DELETE CASCADE,
        element_id text NOT NULL,
        topic text NOT NULL,
        error text NOT NULL,
        error_code text,
        attempts integer NOT NULL,
        state text NOT NULL CHECK (state IN ('open', 'retried', 'cancelled')),
        created_at timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz,
        resolved_by uuid REFERENCES users(id) ON DELETE SET NULL
      )`);
    await runner.query(`CREATE INDEX process_incidents_list ON process_incidents (tenant_id, state, created_at DESC)`);
    await runner.query(`CREATE INDEX process_incidents_instance ON process_incidents (tenant_id, instance_id)`);
    await runner.query(`
      CREATE TABLE plug_effects (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        plug text NOT NULL,
        idempotency_key text NOT NULL,
        result jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT plug_effects_once UNIQUE (tenant_id, plug, idempotency_key)
      )`);
    await runner.query(`ALTER TABLE process_instances ADD COLUMN start_key text`);
    await runner.query(
      `CREATE UNIQUE INDEX process_instances_start_key ON process_instances (tenant_id, start_key) WHERE start_key IS NOT NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE process_instances DROP COLUMN start_key`);
    await runner.query(`DROP TABLE plug_effects`);
    await runner.query(`DROP TABLE process_incidents`);
    await runner.query(`DROP TABLE process_service_jobs`);
  }
}
