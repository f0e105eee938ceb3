import type { MigrationInterface, QueryRunner } from 'typeorm';

const INBOX_VIEW = (unmatched: string) => `
  CREATE OR REPLACE VIEW pec_inbox AS
    SELECT m.id, m.tenant_id, m.mailbox_id, 'message'::text AS entry, m.direction, m.kind, m.status, m.subject,
           m.from_address, m.to_addresses, m.cc_addresses, m.receipt_type, m.message_id, m.provider_id,
           NULL::uuid AS related_id, m.created_by, m.created_at AS at, m.sent_at, m.search
      FROM pec_messages m
    UNION ALL
    SELECT r.id, r.tenant_id, r.mailbox_id, 'receipt', 'in', r.kind,
           CASE WHEN ${unmatched} THEN 'unmatched' ELSE 'matched' END,
           coalesce(r.parsed->>'subject', ''), coalesce(r.parsed->>'sender', ''),
           CASE WHEN r.recipient IS NULL THEN '{}'::text[] ELSE ARRAY[r.recipient] END, '{}'::text[],
           r.parsed->>'receiptType', r.receipt_message_id, r.provider_id,
           r.message_id, NULL::uuid, r.received_at, NULL::timestamptz, r.search
      FROM pec_receipts r`;

/**
 * A receipt about a message another module sent (a campaign recipient: ReceiptTargets) was stored with
 * no `message_id` and so listed as matching nothing, next to the receipts that really match nothing.
 * `forwarded_to` names the module that applied it; such a receipt is matched. Existing ones are found
 * by the campaign Message-ID they cite.
 */
export class ForwardedReceipts1767500000000 implements MigrationInterface {
  name = 'ForwardedReceipts1767500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE pec_receipts ADD COLUMN forwarded_to text');
    await runner.query(`
      UPDATE pec_receipts r SET forwarded_to = 'campaign'
       WHERE r.message_id IS NULL
         AND EXISTS (SELECT 1 FROM campaign_recipients c WHERE c.tenant_id = r.tenant_id AND c.message_id = r.references_message_id)`);
    await runner.query('DROP INDEX pec_receipts_unmatched');
    await runner.query(
      'CREATE INDEX pec_receipts_unmatched ON pec_receipts (tenant_id, received_at DESC) WHERE message_id IS NULL AND forwarded_to IS NULL',
    );
    await runner.query(INBOX_VIEW('r.message_id IS NULL AND r.forwarded_to IS NULL'));
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(INBOX_VIEW('r.message_id IS NULL'));
    await runner.query('DROP INDEX pec_receipts_unmatched');
    await runner.query('CREATE INDEX pec_receipts_unmatched ON pec_receipts (tenant_id, received_at DESC) WHERE message_id IS NULL');
    await runner.query('ALTER TABLE pec_receipts DROP COLUMN forwarded_to');
  }
}
