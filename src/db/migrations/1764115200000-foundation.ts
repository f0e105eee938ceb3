import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tenants, local users, server-side sessions and password reset links. */
export class Foundation1764115200000 implements MigrationInterface {
  name = 'Foundation1764115200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE tenants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
        name text NOT NULL,
        domains text[] NOT NULL DEFAULT '{}',
        theme text NOT NULL,
        default_locale text NOT NULL CHECK (default_locale IN ('it', 'en')),
        solutions text[] NOT NULL DEFAULT '{}',
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX tenants_domains ON tenants USING gin (domains)`);
    await runner.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        email text NOT NULL CHECK (email = lower(email)),
        display_name text NOT NULL,
        password_hash text,
        roles text[] NOT NULL DEFAULT '{user}' CHECK (roles <@ ARRAY['admin','manager','operator','user']::text[]),
        locale text CHECK (locale IN ('it', 'en')),
        must_change_password boolean NOT NULL DEFAULT true,
        blocked boolean NOT NULL DEFAULT false,
        password_changed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE UNIQUE INDEX users_tenant_email ON users (tenant_id, email)`);
    await runner.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('web', 'api')),
        token_hash bytea NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz
      )`);
    await runner.query(`CREATE INDEX sessions_tenant_user ON sessions (tenant_id, user_id)`);
    await runner.query(`CREATE INDEX sessions_expires ON sessions (expires_at)`);
    await runner.query(`
      CREATE TABLE password_resets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token_hash bytea NOT NULL UNIQUE,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX password_resets_tenant_user ON password_resets (tenant_id, user_id)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE password_resets`);
    await runner.query(`DROP TABLE sessions`);
    await runner.query(`DROP TABLE users`);
    await runner.query(`DROP TABLE tenants`);
  }
}
