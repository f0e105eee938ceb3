import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { PinoLogger } from '../app/logger.js';
import { ActivityLog } from '../audit/activity-log.js';
import { BeatPacks } from '../beats/beat-packs.js';
import { describeVerdict } from '../audit/chain-walk.js';
import { loadConfig } from '../config/load-config.js';
import { createDataSource } from '../db/data-source.js';
import { LocalMailRelay } from '../local-mail/local-mail-relay.js';
import { LocalMailboxes } from '../local-mail/local-mailboxes.js';
import { Tenant } from '../tenancy/tenant.entity.js';
import { TenantSyncService } from '../tenancy/tenant-sync.service.js';
import { addPackCommand } from './beats-command.js';
import { CliModule } from './cli.module.js';
import { ensureDatabase } from './ensure-database.js';
import { runPecProviderCommand } from './pec-provider-command.js';
import { UserProvisioner } from './user-provisioner.js';
import { USAGE } from './usage.js';

async function withApp<T>(work: (get: <S>(type: new (...args: never[]) => S) => S) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(CliModule, {
    logger: new PinoLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL),
  });
  try {
    return await work((type) => app.get(type));
  } finally {
    await app.close();
  }
}

/** Every command but `pec inspect` (pec-inspect.ts): they need configuration, the database or the Nest app. */
export async function runCommand(args: string[]): Promise<number> {
  const [command, sub, arg] = args;
  const config = loadConfig();
  if (command === 'db' && sub === 'migrate') {
    await ensureDatabase(config.DATABASE_URL);
    const dataSource = await createDataSource(config).initialize();
    try {
      const applied = await dataSource.runMigrations();
      console.log(applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}` : 'database is up to date');
    } finally {
      await dataSource.destroy();
    }
    return 0;
  }
  if (command === 'tenants' && sub === 'sync') {
    const report = await withApp((get) => get(TenantSyncService).sync());
    console.log(
      `created: ${report.created.join(', ') || '-'}; updated: ${report.updated.join(', ') || '-'}; disabled: ${report.disabled.join(', ') || '-'}`,
    );
    return 0;
  }
  if (command === 'seed' && sub) {
    const results = await withApp((get) => get(UserProvisioner).seed(sub));
    for (const r of results) console.log(`${r.tenant}: ${r.email} ${r.created ? 'created' : 'already there'}`);
    return 0;
  }
  if (command === 'audit' && sub === 'verify') {
    const slug = args[2] === '--tenant' ? args[3] : undefined;
    if (!slug) {
      console.error(USAGE);
      return 64;
    }
    return withApp(async (get) => {
      const tenant = await get(DataSource).getRepository(Tenant).findOneBy({ slug });
      if (!tenant) {
        console.error(`audit verify: no tenant "${slug}" in this database (is tenants/${slug}.yaml there and synced?)`);
        return 1;
      }
      const verdict = await get(ActivityLog).verify(tenant.id);
      console.log(describeVerdict(verdict));
      return verdict.ok ? 0 : 1;
    });
  }
  if (command === 'beats' && sub === 'add-pack') {
    // Wrong usage is answered before the application is built.
    return addPackCommand(args.slice(2), (slug, order) => withApp((get) => get(BeatPacks).add(slug, order, 'system')));
  }
  if (command === 'local-mail') {
    const relay = new LocalMailRelay(new LocalMailboxes(config), config);
    const port = await relay.listen(config.LOCAL_MAIL_PORT);
    console.log(`local mail relay listening on 127.0.0.1:${port}`);
    await new Promise<void>((resolve) => {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
    });
    await relay.close();
    return 0;
  }
  if (command === 'pec-provider') {
    const code = await runPecProviderCommand(config, args.slice(1));
    if (code === 64) console.error(`unknown command: ${args.join(' ')}\n${USAGE}`);
    return code;
  }
  console.error(arg === undefined ? USAGE : `unknown command: ${args.join(' ')}\n${USAGE}`);
  return 64;
}
