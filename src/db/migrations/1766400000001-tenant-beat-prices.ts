import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A tenant's contract prices in beats per unit, by plug, from tenants/<slug>.yaml `beats.prices` (0022). */
export class TenantBeatPrices1766400000001 implements MigrationInterface {
  name = 'TenantBeatPrices1766400000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE tenants ADD COLUMN beat_prices jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(beat_prices) = 'object')`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE tenants DROP COLUMN beat_prices`);
  }
}
