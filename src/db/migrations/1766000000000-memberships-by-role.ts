import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every user task created resolves its `role:` candidates to users (memberships by tenant and role,
 * actors.ts); without this index that read goes through all of the tenant's memberships, once per
 * task, inside the step's transaction.
 */
export class MembershipsByRole1766000000000 implements MigrationInterface {
  name = 'MembershipsByRole1766000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE INDEX memberships_tenant_role ON memberships (tenant_id, role_key)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX memberships_tenant_role`);
  }
}
