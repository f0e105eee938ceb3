import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * PEC messages we send (and, later, those the intake stores): one row per message with its sealed
 * source and bodies, one row per recipient with its state, the recipients' timeline, and every
 * receipt applied (keyed on its own Message-ID, so applying it twice is a no-op; `message_id` null
 * when it matched nothing, kept to be shown). Full-text search is left to the store/UI issue.
 */
export class PecMessages1765910000000 implements MigrationInterface {
  name = 'PecMessages1765910000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE pec_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        mailbox_id uuid NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
        direction text NOT NULL CHECK (direction IN ('in', 'out')),
        kind text NOT NULL,
        status text NOT NULL,
        message_id text NOT NULL,
        provider_id text,
        subject text NOT NULL,
        from_address text NOT NULL,
        to_addresses text[] NOT NULL,
        cc_addresses text[] NOT NULL,
        receipt_type text NOT NULL CHECK (receipt_type IN ('completa', 'breve', 'sintetica')),
        body text,
        source bytea,
        parsed jsonb,
        created_by uuid,
        attempted_at timestamptz,
        sent_at timestamptz,
        smtp_reply text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pec_messages_message_id_once UNIQUE (tenant_id, mailbox_id, message_id)
      )`);
    await runner.query('CREATE INDEX pec_messages_listing ON pec_messages (tenant_id, created_at DESC)');
    await runner.query('CREATE INDEX pec_messages_provider_id ON pec_messages (tenant_id, mailbox_id, provider_id)');
    await runner.query(`
      CREATE TABLE pec_recipients (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        message_id uuid NOT NULL REFERENCES pec_messages(id) ON DELETE CASCADE,
        address text NOT NULL CHECK (address = lower(address)),
        field text NOT NULL CHECK (field IN ('to', 'cc')),
        status text NOT NULL,
        error text,
        provider_id text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pec_recipients_once UNIQUE (message_id, address)
      )`);
    await runner.query(`
      CREATE TABLE pec_recipient_events (
        seq bigserial PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        recipient_id uuid NOT NULL REFERENCES pec_recipients(id) ON DELETE CASCADE,
        kind text NOT NULL,
        status text NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        receipt_message_id text,
        provider_id text,
        details jsonb NOT NULL DEFAULT '{}'
      )`);
    await runner.query('CREATE INDEX pec_recipient_events_timeline ON pec_recipient_events (recipient_id, seq)');
    await runner.query(`
      CREATE TABLE pec_receipts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        mailbox_id uuid NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
        receipt_message_id text NOT NULL,
        kind text NOT NULL,
        references_message_id text,
        provider_id text,
        recipient text,
        message_id uuid REFERENCES pec_messages(id) ON DELETE SET NULL,
        parsed jsonb NOT NULL,
        source bytea NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pec_receipts_once UNIQUE (tenant_id, mailbox_id, receipt_message_id)
      )`);
    await runner.query('CREATE INDEX pec_receipts_unmatched ON pec_receipts (tenant_id, received_at DESC) WHERE message_id IS NULL');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE pec_receipts');
    await runner.query('DROP TABLE pec_recipient_events');
    await runner.query('DROP TABLE pec_recipients');
    await runner.query('DROP TABLE pec_messages');
  }
}
