import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Task work beyond claim/complete (decision 0012): annotations, attachments kept encrypted
 * (AES-256-GCM through SecretBox, the ciphertext in bytea), and escalations: a boundary timer firing
 * on a task nobody took in charge. One escalation row per firing timer row, so a timer job delivered
 * twice notifies once, and a cycle (R3/PT10M) notifies at each of its firings.
 */
export class TaskWork1765300000000 implements MigrationInterface {
  name = 'TaskWork1765300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE tasks ADD COLUMN escalated_at timestamptz`);
    await runner.query(`CREATE INDEX tasks_escalated ON tasks (tenant_id, escalated_at) WHERE escalated_at IS NOT NULL`);
    await runner.query(`
      CREATE TABLE task_annotations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        task_id uuid NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        author_id uuid NOT NULL,
        text text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX task_annotations_task ON task_annotations (tenant_id, task_id, created_at)`);
    await runner.query(`
      CREATE TABLE task_attachments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        task_id uuid NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        filename text NOT NULL,
        content_type text NOT NULL,
        size_bytes integer NOT NULL,
        sha256 text NOT NULL,
        -- SecretBox.sealBytes: version, nonce, tag and ciphertext; the plaintext is never stored.
        sealed bytea NOT NULL,
        uploaded_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX task_attachments_task ON task_attachments (tenant_id, task_id, created_at)`);
    await runner.query(`
      CREATE TABLE task_escalations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        task_id uuid NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        timer_id uuid NOT NULL,
        element_id text NOT NULL,
        notified uuid[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT task_escalations_once UNIQUE (tenant_id, task_id, timer_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE task_escalations`);
    await runner.query(`DROP TABLE task_attachments`);
    await runner.query(`DROP TABLE task_annotations`);
    await runner.query(`ALTER TABLE tasks DROP COLUMN escalated_at`);
  }
}
