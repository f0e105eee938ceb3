import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Mass-send PEC campaigns (docs/decisions/0024-campaign-data-model.md): the campaign with its templates
 * and lifecycle, one row per recipient with an explicit state (the sending pipeline's source of truth),
 * and the files (the uploaded recipients sheet, campaign-wide and per-recipient attachments) sealed at rest.
 */
export class Campaigns1766600000000 implements MigrationInterface {
  name = 'Campaigns1766600000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE campaigns (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        name text NOT NULL,
        mailbox_id uuid NOT NULL REFERENCES mailboxes(id) ON DELETE RESTRICT,
        status text NOT NULL DEFAULT 'draft' CHECK (status IN
          ('draft', 'awaiting-approval', 'scheduled', 'started', 'sending', 'monitoring', 'closed', 'paused', 'cancelled')),
        subject_template text NOT NULL,
        html_template text,
        text_template text,
        address_column text NOT NULL,
        attachment_column text,
        columns jsonb NOT NULL DEFAULT '[]',
        approval jsonb NOT NULL DEFAULT '{"levels":0}',
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        beats_per_recipient integer NOT NULL,
        beats_reservation_id uuid,
        import_state text NOT NULL DEFAULT 'pending' CHECK (import_state IN ('pending', 'running', 'done', 'failed')),
        import_rows integer NOT NULL DEFAULT 0,
        import_error jsonb,
        recipients_total integer NOT NULL DEFAULT 0,
        recipients_invalid integer NOT NULL DEFAULT 0,
        scheduled_at timestamptz,
        started_at timestamptz,
        closed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (html_template IS NOT NULL OR text_template IS NOT NULL)
      )`);
    await runner.query(`CREATE INDEX campaigns_tenant_created ON campaigns (tenant_id, created_at DESC)`);
    await runner.query(`CREATE INDEX campaigns_tenant_status ON campaigns (tenant_id, status)`);

    await runner.query(`
      CREATE TABLE campaign_files (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('recipients', 'attachment', 'recipient-attachment')),
        filename text NOT NULL,
        content_type text NOT NULL,
        size integer NOT NULL,
        sealed bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT campaign_files_name UNIQUE (campaign_id, kind, filename)
      )`);

    await runner.query(`
      CREATE TABLE campaign_recipients (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        row_number integer NOT NULL,
        address text NOT NULL,
        variables text NOT NULL,
        attachment_file_id uuid REFERENCES campaign_files(id) ON DELETE RESTRICT,
        state text NOT NULL CHECK (state IN
          ('invalid', 'queued', 'sending', 'sent', 'accepted', 'delivered', 'failed', 'warned', 'failed-timeout')),
        errors jsonb NOT NULL DEFAULT '[]',
        error_code text,
        error_text text,
        provider_id text,
        message_id text NOT NULL,
        attempted_at timestamptz,
        queued_at timestamptz,
        sent_at timestamptz,
        accepted_at timestamptz,
        delivered_at timestamptz,
        warned_at timestamptz,
        failed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT campaign_recipients_row UNIQUE (campaign_id, row_number),
        CONSTRAINT campaign_recipients_message_id UNIQUE (message_id)
      )`);
    // A PEC twice to the same address is a second legal communication: the database refuses it, not only the importer.
    await runner.query(
      `CREATE UNIQUE INDEX campaign_recipients_once ON campaign_recipients (campaign_id, address) WHERE state <> 'invalid'`,
    );
    // Counts per state (dashboard) and the dispatcher's "next queued rows" both read by campaign and state.
    await runner.query(`CREATE INDEX campaign_recipients_state ON campaign_recipients (tenant_id, campaign_id, state, row_number)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE campaign_recipients`);
    await runner.query(`DROP TABLE campaign_files`);
    await runner.query(`DROP TABLE campaigns`);
  }
}
