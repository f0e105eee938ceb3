import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Receipts found by the Message-ID they cite (docs/decisions/0027-campaign-dashboard.md): a campaign's
 * receipts ZIP asks for the receipts of its recipients' deterministic Message-IDs, a few hundred at a time,
 * in the campaign's mailbox. Without this index each batch would scan every receipt of the workspace.
 */
export class ReceiptsByReference1766800000000 implements MigrationInterface {
  name = 'ReceiptsByReference1766800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE INDEX pec_receipts_reference ON pec_receipts (tenant_id, mailbox_id, references_message_id)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX pec_receipts_reference');
  }
}
