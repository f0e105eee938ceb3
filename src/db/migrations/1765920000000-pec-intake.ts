import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * PEC intake (docs/decisions/0017-pec-intake.md): every message read from a mailbox's INBOX, recorded
 * once per (mailbox, UIDVALIDITY, UID) with its RFC 822 source sealed, and a checkpoint per mailbox
 * that moves in the same transaction as the rows it covers. A removed mailbox keeps its received
 * mail (legal archive): the reference is set to null and the address stays on the row.
 */
export class PecIntake1765920000000 implements MigrationInterface {
  name = 'PecIntake1765920000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE pec_inbound_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        mailbox_id uuid REFERENCES mailboxes(id) ON DELETE SET NULL,
        mailbox_address text NOT NULL,
        uidvalidity bigint NOT NULL,
        uid bigint NOT NULL,
        raw bytea NOT NULL,
        size integer NOT NULL,
        sha256 text NOT NULL,
        received_at timestamptz,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        message_id text,
        kind text,
        summary jsonb,
        state text NOT NULL DEFAULT 'received' CHECK (state IN ('received', 'processed')),
        processed_at timestamptz,
        CONSTRAINT pec_inbound_messages_once UNIQUE (mailbox_id, uidvalidity, uid)
      )`);
    // A UIDVALIDITY change re-reads the folder and skips sources already recorded under an older one.
    await runner.query(`CREATE INDEX pec_inbound_messages_source ON pec_inbound_messages (mailbox_id, sha256)`);
    // Worker start re-adds the jobs of rows not processed yet.
    await runner.query(`CREATE INDEX pec_inbound_messages_pending ON pec_inbound_messages (state) WHERE state = 'received'`);
    await runner.query(`
      CREATE TABLE pec_intake_checkpoints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        mailbox_id uuid NOT NULL UNIQUE REFERENCES mailboxes(id) ON DELETE CASCADE,
        uidvalidity bigint NOT NULL,
        last_uid bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE pec_intake_checkpoints`);
    await runner.query(`DROP TABLE pec_inbound_messages`);
  }
}
