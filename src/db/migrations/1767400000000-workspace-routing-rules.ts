import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * PEC routing rules a workspace's admins edit in the web shell (docs/decisions/0033), kept apart from
 * the tenant file's (`pec_intake`, which every sync overwrites): an ordered list on the tenant row,
 * changed under the row's lock so two admins editing at once cannot lose each other's change.
 */
export class WorkspaceRoutingRules1767400000000 implements MigrationInterface {
  name = 'WorkspaceRoutingRules1767400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE tenants ADD COLUMN pec_routing_rules jsonb NOT NULL DEFAULT '[]'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE tenants DROP COLUMN pec_routing_rules');
  }
}
