import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Versioned BPMN process definitions, per workspace. Files under workflows/ are deployed into each
 * workspace that uses their solution (so tenant_id is never null): one kind of row, one lookup path.
 */
export class ProcessDefinitions1764600000000 implements MigrationInterface {
  name = 'ProcessDefinitions1764600000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE process_definitions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
        name text,
        version integer NOT NULL CHECK (version > 0),
        content_hash text NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
        bpmn text NOT NULL,
        solution text,
        deployed_by uuid REFERENCES users(id) ON DELETE SET NULL,
        deployed_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT process_definitions_version UNIQUE (tenant_id, key, version),
        -- Redeploying the same content finds the existing version instead of adding one.
        CONSTRAINT process_definitions_content UNIQUE (tenant_id, key, content_hash)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE process_definitions`);
  }
}
