import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Running processes and their user tasks. An instance row holds the engine's saved state without the
 * BPMN (it is re-supplied from its definition row at every hydration) and a version number: every
 * save is conditional on the version read, so two writers can never both win.
 */
export class ProcessInstances1764700000000 implements MigrationInterface {
  name = 'ProcessInstances1764700000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE process_instances (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        definition_id uuid NOT NULL REFERENCES process_definitions(id),
        business_key text,
        status text NOT NULL CHECK (status IN ('running', 'waiting', 'completed', 'failed')),
        state jsonb NOT NULL,
        variables jsonb NOT NULL DEFAULT '{}',
        active_elements text[] NOT NULL DEFAULT '{}',
        failure text,
        version integer NOT NULL DEFAULT 1,
        started_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz
      )`);
    await runner.query(`CREATE INDEX process_instances_business_key ON process_instances (tenant_id, business_key)`);
    await runner.query(`CREATE INDEX process_instances_status ON process_instances (tenant_id, status)`);
    await runner.query(`
      CREATE TABLE tasks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        instance_id uuid NOT NULL REFERENCES process_instances(id) ON DELETE CASCADE,
        element_id text NOT NULL,
        name text,
        execution_id text NOT NULL,
        candidate_groups text,
        candidate_user_ids uuid[] NOT NULL DEFAULT '{}',
        assignee uuid REFERENCES users(id) ON DELETE SET NULL,
        state text NOT NULL CHECK (state IN ('open', 'claimed', 'completed', 'cancelled')),
        form_key text,
        due_at timestamptz,
        priority integer NOT NULL DEFAULT 50,
        data jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        claimed_at timestamptz,
        completed_at timestamptz,
        completed_by uuid REFERENCES users(id) ON DELETE SET NULL,
        -- One row per waiting execution: a retried save never creates the same task twice.
        CONSTRAINT tasks_execution UNIQUE (tenant_id, instance_id, execution_id)
      )`);
    await runner.query(`CREATE INDEX tasks_state ON tasks (tenant_id, state)`);
    await runner.query(`CREATE INDEX tasks_candidates ON tasks USING gin (candidate_user_ids)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE tasks`);
    await runner.query(`DROP TABLE process_instances`);
  }
}
