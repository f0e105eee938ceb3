import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-workspace access policies and the TOTP second factor of local accounts. */
export class WorkspacePolicies1764500000000 implements MigrationInterface {
  name = 'WorkspacePolicies1764500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE workspace_policies (
        tenant_id uuid PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        ip_allowlist cidr[] NOT NULL DEFAULT '{}',
        session_idle_minutes integer CHECK (session_idle_minutes BETWEEN 5 AND 1440),
        session_absolute_hours integer CHECK (session_absolute_hours BETWEEN 1 AND 720),
        password_min_length integer NOT NULL DEFAULT 12 CHECK (password_min_length BETWEEN 8 AND 128),
        second_factor text NOT NULL DEFAULT 'optional' CHECK (second_factor IN ('off', 'optional', 'admins', 'everyone')),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`ALTER TABLE users ADD COLUMN totp_secret text, ADD COLUMN totp_last_step bigint`);
    // How a session was opened: the second factor applies to local passwords, not to SSO (the IdP has its own).
    await runner.query(`ALTER TABLE sessions ADD COLUMN method text NOT NULL DEFAULT 'password' CHECK (method IN ('password', 'sso'))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE sessions DROP COLUMN method`);
    await runner.query(`ALTER TABLE users DROP COLUMN totp_secret, DROP COLUMN totp_last_step`);
    await runner.query(`DROP TABLE workspace_policies`);
  }
}
