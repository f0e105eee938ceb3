import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A receipt the IMAP intake read was stored twice, sealed each time: as the inbound row the intake
 * keeps of everything it reads, and again in `pec_receipts.source`. Now the receipt points at the
 * inbound row instead (docs/decisions/0034): one seal and one copy of the bytes a receipt. A receipt
 * applied by other means (the tests' correlator calls) still carries its own source; one of the two
 * is always there.
 */
export class ReceiptSourceOnce1767600000000 implements MigrationInterface {
  name = 'ReceiptSourceOnce1767600000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE pec_receipts ADD COLUMN inbound_message_id uuid REFERENCES pec_inbound_messages (id)');
    await runner.query('ALTER TABLE pec_receipts ALTER COLUMN source DROP NOT NULL');
    await runner.query(
      'ALTER TABLE pec_receipts ADD CONSTRAINT pec_receipts_source_kept CHECK (source IS NOT NULL OR inbound_message_id IS NOT NULL)',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    // Rows that point at their inbound row have no bytes here to go back to: the migration cannot be undone then.
    await runner.query('ALTER TABLE pec_receipts DROP CONSTRAINT pec_receipts_source_kept');
    await runner.query('ALTER TABLE pec_receipts ALTER COLUMN source SET NOT NULL');
    await runner.query('ALTER TABLE pec_receipts DROP COLUMN inbound_message_id');
  }
}
