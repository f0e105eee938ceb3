import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-tenant single sign-on settings (SAML with ADFS), written by the tenant sync from the tenant file. */
export class TenantSso1764400000000 implements MigrationInterface {
  name = 'TenantSso1764400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE tenants ADD COLUMN sso jsonb CHECK (sso IS NULL OR jsonb_typeof(sso) = 'object')`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE tenants DROP COLUMN sso`);
  }
}
