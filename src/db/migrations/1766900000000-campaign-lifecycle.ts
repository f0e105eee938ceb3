import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The campaign lifecycle (docs/decisions/0028): the tenant's approval settings from tenants/<slug>.yaml
 * `campaigns:`, and one row per step a campaign took on its way to sending — submitted, approved or rejected
 * (by whom, why), launch refused, cancelled — which the campaign page shows as its approval history.
 */
export class CampaignLifecycle1766900000000 implements MigrationInterface {
  name = 'CampaignLifecycle1766900000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE tenants ADD COLUMN campaigns jsonb`);
    await runner.query(`
      CREATE TABLE campaign_lifecycle_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        event text NOT NULL CHECK (event IN ('submitted', 'approved', 'rejected', 'launch-refused', 'cancelled')),
        level integer CHECK (level BETWEEN 1 AND 2),
        actor_id uuid REFERENCES users(id) ON DELETE SET NULL,
        reason text,
        task_id uuid UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX campaign_lifecycle_events_campaign ON campaign_lifecycle_events (tenant_id, campaign_id, created_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE campaign_lifecycle_events`);
    await runner.query(`ALTER TABLE tenants DROP COLUMN campaigns`);
  }
}
