import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The organisation of a tenant: offices (a tree), roles (the four basic ones plus those solutions
 * and admins add), memberships (a role held in an office, or tenant-wide) and groups. Users' roles
 * move from users.roles into memberships, the single source of who may do what.
 */
export class Organisation1764200000000 implements MigrationInterface {
  name = 'Organisation1764200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE offices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        parent_id uuid REFERENCES offices(id) ON DELETE RESTRICT,
        name text NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 120 AND position('/' in name) = 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT offices_sibling_names UNIQUE NULLS NOT DISTINCT (tenant_id, parent_id, name)
      )`);
    await runner.query(`CREATE INDEX offices_tenant_parent ON offices (tenant_id, parent_id)`);
    await runner.query(`
      CREATE TABLE roles (
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        key text NOT NULL CHECK (key ~ '^[a-z][a-z0-9-]{0,39}$'),
        name text NOT NULL,
        builtin boolean NOT NULL DEFAULT false,
        PRIMARY KEY (tenant_id, key)
      )`);
    await runner.query(`
      CREATE TABLE memberships (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role_key text NOT NULL,
        office_id uuid REFERENCES offices(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (tenant_id, role_key) REFERENCES roles (tenant_id, key) ON DELETE CASCADE,
        CONSTRAINT memberships_unique UNIQUE NULLS NOT DISTINCT (tenant_id, user_id, role_key, office_id)
      )`);
    await runner.query(`CREATE INDEX memberships_tenant_office ON memberships (tenant_id, office_id)`);
    await runner.query(`
      CREATE TABLE groups (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 120),
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, name)
      )`);
    await runner.query(`
      CREATE TABLE group_members (
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        group_id uuid NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        PRIMARY KEY (tenant_id, group_id, user_id)
      )`);
    await runner.query(`
      INSERT INTO roles (tenant_id, key, name, builtin)
      SELECT t.id, r.key, r.key, true FROM tenants t CROSS JOIN unnest(ARRAY['admin','manager','operator','user']) AS r(key)`);
    await runner.query(`
      INSERT INTO memberships (tenant_id, user_id, role_key)
      SELECT u.tenant_id, u.id, r FROM users u CROSS JOIN LATERAL unnest(u.roles) AS r`);
    await runner.query(`ALTER TABLE users DROP COLUMN roles`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE users ADD COLUMN roles text[] NOT NULL DEFAULT '{user}'`);
    await runner.query(`
      UPDATE users u SET roles = m.roles FROM (
        SELECT user_id, array_agg(DISTINCT role_key) AS roles FROM memberships
        WHERE role_key IN ('admin','manager','operator','user') GROUP BY user_id) m
      WHERE m.user_id = u.id`);
    await runner.query(`DROP TABLE group_members`);
    await runner.query(`DROP TABLE groups`);
    await runner.query(`DROP TABLE memberships`);
    await runner.query(`DROP TABLE roles`);
    await runner.query(`DROP TABLE offices`);
  }
}
