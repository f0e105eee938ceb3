import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { WebAppModule } from './app/web-app.module.js';
import { WorkerAppModule } from './app/worker-app.module.js';
import { PinoLogger } from './app/logger.js';
import { configureWebApp } from './app/web-app.js';
import type { AppConfig } from './config/config.module.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import { SessionJanitor } from './identity/session-janitor.js';
import { TimerJobs } from './process/timer-jobs.js';
import { JobWorker } from './queue/job-worker.js';
import { TenantSyncService } from './tenancy/tenant-sync.service.js';

type Role = 'web' | 'worker' | 'all';
const ROLES: readonly Role[] = ['web', 'worker', 'all'];

async function main(): Promise<void> {
  const role = (process.argv[2] ?? 'all') as Role;
  if (!ROLES.includes(role)) {
    console.error(`usage: node dist/main.js web|worker|all (got "${role}")`);
    process.exit(64);
  }
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
  const logger = new PinoLogger(config.LOG_LEVEL);

  if (role === 'worker') {
    const context = await NestFactory.createApplicationContext(WorkerAppModule, { logger });
    stopGracefully(context, config, logger);
    await startWorker(context);
    return;
  }
  const app = await NestFactory.create<NestExpressApplication>(WebAppModule, { logger, bufferLogs: true });
  configureWebApp(app, logger);
  await app.get(TenantSyncService).sync();
  if (role === 'all') await startWorker(app);
  stopGracefully(app, config, logger);
  await app.listen(config.PORT, config.HOST);
  logger.log(`pecflow ${role} listening on ${await app.getUrl()}`, 'main');
}

async function startWorker(context: { get: NestExpressApplication['get'] }): Promise<void> {
  context.get(JobWorker).start();
  await context.get(SessionJanitor).schedule();
  // Redis may have lost delayed jobs (flushed, restored from an old snapshot): PostgreSQL has the timers.
  await context.get(TimerJobs).rederive();
}

/**
 * SIGTERM/SIGINT: stop taking work, finish what is in hand (HTTP requests, jobs), then exit 0.
 * Past SHUTDOWN_GRACE_SECONDS the process exits anyway; unfinished jobs are retried by BullMQ.
 */
function stopGracefully(app: { close(): Promise<void> }, config: AppConfig, logger: PinoLogger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: finishing the work in hand`, 'main');
    setTimeout(() => {
      logger.error(`still busy after ${config.SHUTDOWN_GRACE_SECONDS} s: exiting anyway`, 'main');
      process.exit(1);
    }, config.SHUTDOWN_GRACE_SECONDS * 1000).unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`shutdown failed: ${String(error)}`, 'main');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
