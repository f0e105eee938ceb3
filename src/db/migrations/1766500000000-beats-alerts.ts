import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Beats visibility (docs/decisions/0023-beats-visibility.md): a workspace's low-balance threshold and
 * the state that makes its alert fire once per crossing; the pack expiry warnings already sent; an
 * index for usage reports that reads only debits.
 */
export class BeatsAlerts1766500000000 implements MigrationInterface {
  name = 'BeatsAlerts1766500000000';

  async up(runner: QueryRunner): Promise<void> {
    // `low_since`: when available beats last went below the threshold, null while they are above it.
    // Setting it is the alert's idempotency: only the movement that sets it sends the e-mails.
    await runner.query(`
      CREATE TABLE beat_alert_settings (
        tenant_id uuid PRIMARY KEY REFERENCES tenants(id),
        low_balance integer CHECK (low_balance >= 0),
        low_since timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One row per pack and warning (30, 7 days before expiry): the job that inserts it sends the mails.
    await runner.query(`
      CREATE TABLE beat_pack_warnings (
        pack_id uuid NOT NULL REFERENCES beat_packs(id),
        days integer NOT NULL CHECK (days > 0),
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        warned_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (pack_id, days)
      )`);
    // Usage = the debits of a period: an index-only scan over them, however many reservations and
    // releases the ledger holds.
    await runner.query(`
      CREATE INDEX beat_ledger_usage ON beat_ledger (tenant_id, created_at)
        INCLUDE (plug, units, beats, overdraft, user_id, campaign_id) WHERE kind = 'debit'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX beat_ledger_usage`);
    await runner.query(`DROP TABLE beat_pack_warnings`);
    await runner.query(`DROP TABLE beat_alert_settings`);
  }
}
