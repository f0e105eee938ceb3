import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * PEC mailboxes: where a tenant sends from and reads receipts (SMTP out, IMAP in), the sending limits
 * of its profile, the sealed credentials, and the state the probe (later the intake) reports.
 * Offices are a join table so that removing an office simply unassigns its mailboxes.
 */
export class Mailboxes1765500000000 implements MigrationInterface {
  name = 'Mailboxes1765500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE mailboxes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        address text NOT NULL CHECK (address = lower(address)),
        preset text NOT NULL,
        profile text NOT NULL,
        smtp_host text NOT NULL,
        smtp_port integer NOT NULL CHECK (smtp_port BETWEEN 1 AND 65535),
        smtp_security text NOT NULL CHECK (smtp_security IN ('tls', 'starttls', 'none')),
        imap_host text NOT NULL,
        imap_port integer NOT NULL CHECK (imap_port BETWEEN 1 AND 65535),
        imap_security text NOT NULL CHECK (imap_security IN ('tls', 'starttls', 'none')),
        sent_folder text NOT NULL,
        per_minute integer NOT NULL CHECK (per_minute > 0),
        per_day integer NOT NULL CHECK (per_day > 0),
        max_message_mb integer NOT NULL CHECK (max_message_mb > 0),
        max_recipients integer NOT NULL CHECK (max_recipients > 0),
        credentials text NOT NULL,
        state text NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'connected', 'failing')),
        state_reason text,
        state_since timestamptz NOT NULL DEFAULT now(),
        checked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT mailboxes_address_once UNIQUE (tenant_id, address)
      )`);
    await runner.query(`
      CREATE TABLE mailbox_offices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        mailbox_id uuid NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
        office_id uuid NOT NULL REFERENCES offices(id) ON DELETE CASCADE,
        CONSTRAINT mailbox_offices_once UNIQUE (tenant_id, mailbox_id, office_id)
      )`);
    // Visibility asks "is this mailbox in one of these offices?" and office removal cascades by office.
    await runner.query(`CREATE INDEX mailbox_offices_office ON mailbox_offices (tenant_id, office_id)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE mailbox_offices`);
    await runner.query(`DROP TABLE mailboxes`);
  }
}
