import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The activity log: append-only and hash-chained per tenant. The database itself refuses UPDATE,
 * DELETE and TRUNCATE, so no application path (nor a stray script) can rewrite history; only
 * someone who can disable the trigger can, and the chain shows it (`pecflow audit verify`).
 */
export class ActivityLog1764300000000 implements MigrationInterface {
  name = 'ActivityLog1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    // No ON DELETE CASCADE and no foreign key on actor_id: the log outlives users, and a tenant
    // with history cannot be deleted by accident (tenants are disabled, not deleted).
    await runner.query(`
      CREATE TABLE activity_log (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        seq bigint NOT NULL CHECK (seq > 0),
        at timestamptz NOT NULL,
        actor_id uuid,
        actor_label text NOT NULL CHECK (length(actor_label) BETWEEN 1 AND 320),
        action text NOT NULL CHECK (action ~ '^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)+$'),
        resource_type text,
        resource_id text,
        details jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(details) = 'object'),
        ip text,
        prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
        hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
        CHECK ((resource_type IS NULL) = (resource_id IS NULL))
      )`);
    await runner.query(`CREATE UNIQUE INDEX activity_log_tenant_seq ON activity_log (tenant_id, seq)`);
    await runner.query(`CREATE INDEX activity_log_tenant_at ON activity_log (tenant_id, at)`);
    await runner.query(`
      CREATE FUNCTION activity_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'activity_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    // Statement-level, so even an UPDATE or DELETE that matches no row is refused.
    await runner.query(`
      CREATE TRIGGER activity_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON activity_log
      FOR EACH STATEMENT EXECUTE FUNCTION activity_log_refuse_change()`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE activity_log`);
    await runner.query(`DROP FUNCTION activity_log_refuse_change()`);
  }
}
