import { Redis } from 'ioredis';
import { adminQuery } from './global-setup.mjs';
import { stopRunDovecot } from './run-dovecot.mjs';

/** Drops this run's database, Redis keys and Dovecot, whatever the tests left behind. */
export default async function globalTeardown() {
  const database = new URL(process.env.DATABASE_URL).pathname.slice(1);
  if (!database.startsWith('pecflow_test_')) throw new Error(`refusing to drop ${database}: not a test database`);
  await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${process.env.REDIS_PREFIX}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  await stopRunDovecot();
}
