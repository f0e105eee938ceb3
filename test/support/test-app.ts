import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { PinoLogger } from '../../src/app/logger.js';
import { configureWebApp } from '../../src/app/web-app.js';
import { WebAppModule } from '../../src/app/web-app.module.js';
import { TenantContext } from '../../src/db/tenant-context.js';
import { PasswordHasher } from '../../src/identity/password-hasher.js';
import { User } from '../../src/identity/user.entity.js';
import { OrganisationService, type NamedGrant } from '../../src/access/organisation.service.js';
import { Tenant } from '../../src/tenancy/tenant.entity.js';
import { JobWorker } from '../../src/queue/job-worker.js';
import { TimerJobs } from '../../src/process/timer-jobs.js';
import { TenantSyncService } from '../../src/tenancy/tenant-sync.service.js';
import { ensureMigrated } from './migrate.js';

export interface TestApp {
  app: NestExpressApplication;
  port: number;
  /** http://<slug>.localhost:<port> — Chromium and Node resolve *.localhost to loopback. */
  origin(slug: string): string;
  close(): Promise<void>;
}

/** The real web application (same module and Express setup as `main.ts`) on a free port. */
export async function startTestApp(): Promise<TestApp> {
  await ensureMigrated();
  const logger = new PinoLogger(process.env.LOG_LEVEL ?? 'warn');
  const app = await NestFactory.create<NestExpressApplication>(WebAppModule, { logger });
  configureWebApp(app, logger);
  // As main.ts: the plugs are known once the app has bootstrapped, and the sync validates workflows/ against them.
  await app.init();
  await syncTenantsOnce(app);
  // The `all` role, as in the demo: queued work (mail, housekeeping) runs in the same process.
  app.get(JobWorker).start();
  await app.get(TimerJobs).rederive();
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return { app, port, origin: (slug) => `http://${slug}.localhost:${port}`, close: () => app.close() };
}

/**
 * The tenant files are synced by the first test app of the run only: a later sync would disable the
 * workspaces other test files create directly in the database (they have no file).
 */
async function syncTenantsOnce(app: NestExpressApplication): Promise<void> {
  const dataSource = app.get(DataSource);
  await dataSource.transaction(async (manager) => {
    await manager.query('SELECT pg_advisory_xact_lock(7260002)');
    const synced = await manager.getRepository(Tenant).count({ where: { slug: 'demo' } });
    if (synced === 0) await app.get(TenantSyncService).sync();
  });
}

export interface TestUserSpec {
  email?: string;
  password?: string;
  /** Tenant-wide roles (default: user). */
  roles?: string[];
  /** Roles in offices, by office path; offices are created when missing. */
  grants?: NamedGrant[];
  mustChangePassword?: boolean;
  blocked?: boolean;
  displayName?: string;
}

let counter = 0;

/** Creates a user directly in the database of the running app, inside the tenant's scope. */
export async function createUser(
  app: NestExpressApplication,
  tenantSlug: string,
  spec: TestUserSpec = {},
): Promise<User & { password: string }> {
  const dataSource = app.get(DataSource);
  const tenant = await dataSource.getRepository(Tenant).findOneByOrFail({ slug: tenantSlug });
  const password = spec.password ?? 'una passphrase di prova';
  counter += 1;
  const email = (spec.email ?? `user${counter}-${Date.now().toString(36)}@${tenantSlug}.test`).toLowerCase();
  const user = await TenantContext.run({ tenantId: tenant.id, slug: tenant.slug }, async () => {
    const organisation = app.get(OrganisationService);
    const saved = await dataSource.getRepository(User).save({
      tenantId: tenant.id,
      email,
      displayName: spec.displayName ?? `Utente ${counter}`,
      passwordHash: await app.get(PasswordHasher).hash(password),
      mustChangePassword: spec.mustChangePassword ?? false,
      blocked: spec.blocked ?? false,
    });
    const grants = [...(spec.roles ?? (spec.grants ? [] : ['user'])).map((role) => ({ role, office: null })), ...(spec.grants ?? [])];
    for (const grant of grants) if (grant.office) await organisation.ensureOfficePath(grant.office);
    await organisation.replaceGrants(saved.id, await organisation.resolve(grants));
    return saved;
  });
  return Object.assign(user, { password });
}

/** A workspace of the test's own (for tests that change workspace-wide settings), reached at <slug>.localhost. */
export async function createTenant(app: NestExpressApplication, slug: string, name = `Prova ${slug}`): Promise<Tenant> {
  const dataSource = app.get(DataSource);
  const tenant = await dataSource
    .getRepository(Tenant)
    .save({ slug, name, theme: 'civico', defaultLocale: 'it', domains: [], solutions: [], enabled: true });
  await TenantContext.run({ tenantId: tenant.id, slug }, () => app.get(OrganisationService).ensureBuiltinRoles());
  return tenant;
}
