import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Instances are searched by their variables (`var.<name>=<value>`, JSONB containment `@>`): a GIN
 * index with jsonb_path_ops answers containment only, and is smaller and faster than the default class.
 */
export class ProcessVariablesIndex1765700000000 implements MigrationInterface {
  name = 'ProcessVariablesIndex1765700000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE INDEX process_instances_variables ON process_instances USING gin (variables jsonb_path_ops)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX process_instances_variables`);
  }
}
