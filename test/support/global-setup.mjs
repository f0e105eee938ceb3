// Plain JavaScript: Jest loads global setup outside the ESM/TypeScript pipeline the tests use.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startRunDovecot } from './run-dovecot.mjs';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/pecflow';

export function databaseUrl(name) {
  const url = new URL(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function adminQuery(sql) {
  const client = new pg.Client({ connectionString: databaseUrl('postgres') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, empty database, a Redis prefix and a Dovecot of its own for this test run; migrations run
 * in test/support/migrate.ts.
 */
export default async function globalSetup() {
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const database = `pecflow_test_${runId}`;
  await adminQuery(`CREATE DATABASE ${database}`);
  process.env.NODE_ENV = 'test';
  process.env.DATABASE_URL = databaseUrl(database);
  process.env.REDIS_PREFIX = `pecflow-test-${runId}`;
  process.env.LOG_LEVEL ??= 'warn';
  await startRunDovecot(runId);
}
