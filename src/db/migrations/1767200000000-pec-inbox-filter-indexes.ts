import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keyset indexes for the inbox's equality filters (docs/decisions/0031-pec-inbox-and-message-latency.md).
 * A filter on status, sender or kind had only `(tenant, at)` to walk: the capped count read up to the
 * whole workspace to find 1,001 matches (status + last 90 days: 750,000 rows, 0.5–1 s over a million
 * messages). With the filter's column before `(at, id)` the count reads 1,001 index entries and the
 * page walks the same index newest first.
 */
export class PecInboxFilterIndexes1767200000000 implements MigrationInterface {
  name = 'PecInboxFilterIndexes1767200000000';

  async up(runner: QueryRunner): Promise<void> {
    for (const [name, column] of COLUMNS)
      await runner.query(`CREATE INDEX ${name} ON pec_messages (tenant_id, ${column}, created_at DESC, id DESC)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const [name] of COLUMNS) await runner.query(`DROP INDEX ${name}`);
  }
}

const COLUMNS = [
  ['pec_messages_status_listing', 'status'],
  ['pec_messages_sender_listing', 'from_address'],
  ['pec_messages_kind_listing', 'kind'],
] as const;
