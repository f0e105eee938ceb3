import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Incoming messages in `pec_messages` (docs/decisions/0019-incoming-pec-messages.md). Our Message-ID
 * is unique per mailbox for what we send (the correlator finds a message by it); a received
 * Message-ID is the sender's, and the same one may arrive twice (sent again, or to two of our
 * addresses on one mailbox), so uniqueness is kept for `out` only.
 */
export class IncomingPecMessages1766100000000 implements MigrationInterface {
  name = 'IncomingPecMessages1766100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE pec_messages DROP CONSTRAINT pec_messages_message_id_once');
    await runner.query(
      `CREATE UNIQUE INDEX pec_messages_message_id_once ON pec_messages (tenant_id, mailbox_id, message_id) WHERE direction = 'out'`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query("DELETE FROM pec_messages WHERE direction = 'in'");
    await runner.query('DROP INDEX pec_messages_message_id_once');
    await runner.query('ALTER TABLE pec_messages ADD CONSTRAINT pec_messages_message_id_once UNIQUE (tenant_id, mailbox_id, message_id)');
  }
}
