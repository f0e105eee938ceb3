import { loadConfig } from '../../src/config/load-config.js';
import { createDataSource } from '../../src/db/data-source.js';

/** Arbitrary key of the advisory lock that makes parallel test workers migrate one at a time. */
const MIGRATION_LOCK = 7_260_001;

/** Applies the migrations to this run's database; the first worker does the work, the rest find it done. */
export async function ensureMigrated(): Promise<void> {
  const dataSource = await createDataSource(loadConfig()).initialize();
  const lock = dataSource.createQueryRunner();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await dataSource.runMigrations();
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  } finally {
    await lock.release();
    await dataSource.destroy();
  }
}
