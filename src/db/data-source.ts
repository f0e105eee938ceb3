import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config.schema.js';
import { entities } from './entities.js';
import { migrations } from './migrations/index.js';

/** The schema is only ever changed by migrations: synchronize stays off everywhere. */
export function createDataSource(config: Pick<AppConfig, 'DATABASE_URL'>): DataSource {
  return new DataSource({
    type: 'postgres',
    url: config.DATABASE_URL,
    entities,
    migrations,
    synchronize: false,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    extra: { max: 10, application_name: 'pecflow' },
  });
}
