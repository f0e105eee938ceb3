import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The intake process (docs/decisions/0021): the tenant file's routing settings, kept on the tenant
 * like its SSO section, and one row per incoming PEC saying whether its process started (and which)
 * or why not, so that a failed start is visible and retried rather than lost.
 */
export class PecIntakeFlow1766300000000 implements MigrationInterface {
  name = 'PecIntakeFlow1766300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE tenants ADD COLUMN pec_intake jsonb`);
    await runner.query(`
      CREATE TABLE pec_intake_starts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        inbound_message_id uuid NOT NULL UNIQUE REFERENCES pec_inbound_messages(id) ON DELETE CASCADE,
        state text NOT NULL CHECK (state IN ('started', 'failed')),
        instance_id uuid REFERENCES process_instances(id) ON DELETE SET NULL,
        error text,
        attempts integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Worker start retries the failed ones; admins list them.
    await runner.query(`CREATE INDEX pec_intake_starts_failed ON pec_intake_starts (tenant_id, updated_at) WHERE state = 'failed'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE pec_intake_starts`);
    await runner.query(`ALTER TABLE tenants DROP COLUMN pec_intake`);
  }
}
