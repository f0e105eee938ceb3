import type { INestApplicationContext, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import request from 'supertest';
import { demoAdminToken, type SpawnedRoles } from './spawned-roles.js';

/** The demo database of spawned roles, its web role, and an in-process stand-in for the IMAP intake on it. */
export interface CrashStage {
  db: pg.Client;
  /** The stand-in's application context (correlateInbox runs in it). */
  intake: INestApplicationContext;
  /** A call to the web role as the demo workspace's admin. */
  api(method: 'get' | 'post', pathname: string): request.Test;
  close(): Promise<void>;
}

/**
 * What the kill -9 tests of sending share: a fresh demo database for the spawned roles, a client on
 * it, the intake stand-in (`standIn`: a module with the correlator) on the same database and Redis
 * prefix, and the web role with the demo admin's token. `close()` kills the roles and restores the
 * environment this process had.
 */
export async function openCrashStage(roles: SpawnedRoles, standIn: Type<unknown>): Promise<CrashStage> {
  const saved = { DATABASE_URL: process.env.DATABASE_URL, REDIS_PREFIX: process.env.REDIS_PREFIX };
  await roles.createDemoDatabase();
  const db = new pg.Client({ connectionString: roles.databaseUrl });
  await db.connect();
  process.env.DATABASE_URL = roles.env.DATABASE_URL;
  process.env.REDIS_PREFIX = roles.env.REDIS_PREFIX;
  const intake = await NestFactory.createApplicationContext(standIn, { logger: false });
  const { url } = await roles.startWeb();
  const token = await demoAdminToken(url);
  return {
    db,
    intake,
    api: (method, pathname) => request(url)[method](pathname).set('Host', 'demo.localhost').set('Authorization', `Bearer ${token}`),
    async close() {
      await roles.killAll();
      await intake.close();
      process.env.DATABASE_URL = saved.DATABASE_URL;
      process.env.REDIS_PREFIX = saved.REDIS_PREFIX;
      await db.end();
      await roles.cleanup();
    },
  };
}
