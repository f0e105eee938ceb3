import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { PinoLogger } from '../app/logger.js';
import { ActivityLog } from '../audit/activity-log.js';
import { describeVerdict } from '../audit/chain-walk.js';
import { loadConfig } from '../config/load-config.js';
import { createDataSource } from '../db/data-source.js';
import { LocalMailRelay } from '../local-mail/local-mail-relay.js';
import { LocalMailboxes } from '../local-mail/local-mailboxes.js';
import { Tenant } from '../tenancy/tenant.entity.js';
import { TenantSyncService } from '../tenancy/tenant-sync.service.js';
import { CliModule } from './cli.module.js';
import { ensureDatabase } from './ensure-database.js';
import { UserProvisioner } from './user-provisioner.js';

const USAGE = `usage: pecflow <command>
  db migrate              create the database if missing and apply every pending migration
  tenants sync            make the tenants table match tenants/*.yaml
  seed <file.yaml>        create the users a seed file lists (see scripts/demo-seed.yaml)
  local-mail              run the local mail relay (SMTP on LOCAL_MAIL_PORT → Dovecot)
  audit verify --tenant <slug>
                          check the tenant's activity log chain; exit 1 naming the first altered or missing entry`;

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

async function run(args: string[]): Promise<number> {
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
  console.error(arg === undefined ? USAGE : `unknown command: ${args.join(' ')}\n${USAGE}`);
  return 64;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
