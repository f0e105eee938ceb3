import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Message correlation: an instance keeps the names of the messages it waits on (rewritten at every
 * save), so finding the instances a message addresses is one indexed query instead of hydrating them.
 * Messages delivered with an id are remembered per instance, so a redelivered PEC receipt is a no-op.
 */
export class ProcessMessages1764900000000 implements MigrationInterface {
  name = 'ProcessMessages1764900000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE process_instances ADD COLUMN waiting_messages text[] NOT NULL DEFAULT '{}'`);
    // Correlation asks: this tenant, this business key (process_instances_business_key), waiting on this name.
    await runner.query(`CREATE INDEX process_instances_waiting_messages ON process_instances USING gin (waiting_messages)`);
    await runner.query(`
      CREATE TABLE correlated_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        instance_id uuid NOT NULL REFERENCES process_instances(id) ON DELETE CASCADE,
        message_id text NOT NULL,
        message_name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT correlated_messages_once UNIQUE (tenant_id, instance_id, message_id)
      )`);
    await runner.query(`CREATE INDEX correlated_messages_message ON correlated_messages (tenant_id, message_id)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE correlated_messages`);
    await runner.query(`ALTER TABLE process_instances DROP COLUMN waiting_messages`);
  }
}
