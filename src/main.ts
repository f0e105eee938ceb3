import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { WebAppModule } from './app/web-app.module.js';
import { WorkerAppModule } from './app/worker-app.module.js';
import { PinoLogger } from './app/logger.js';
import { configureWebApp } from './app/web-app.js';
import { APP_CONFIG, type AppConfig } from './config/config.module.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import { SessionJanitor } from './identity/session-janitor.js';
import { PackExpiryWarnings } from './beats/pack-expiry-warnings.js';
import { scheduleHoldSweeps } from './beats/hold-sweep-schedule.js';
import { JobQueues } from './queue/job-queues.js';
import { STALE_CALL_HOLDS_JOB } from './beats/stale-call-holds.js';
import { ServiceJobs } from './process/service-jobs.js';
import { ThrownSignals } from './process/thrown-signals.js';
import { TimerJobs } from './process/timer-jobs.js';
import { CampaignDispatch } from './campaigns/sending/campaign-dispatch.js';
import { RecipientImport } from './campaigns/recipient-import.js';
import { PecSender } from './pec/sending/pec-sender.js';
import { PEC_SEND_HOLDS_JOB } from './pec/sending/send-hold-sweep.js';
import { InboundJobs } from './pec/intake/inbound-jobs.js';
import { IntakeSupervisor } from './pec/intake/intake-supervisor.js';
import { IntakeStarts } from './pec/intake-flow/intake-starts.js';
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
  // Bootstrap first: the sync validates workflows/ against the plug names, which PlugRegistry collects at bootstrap.
  await app.init();
  await app.get(TenantSyncService).sync();
  if (role === 'all') await startWorker(app);
  stopGracefully(app, config, logger);
  await app.listen(config.PORT, config.HOST);
  logger.log(`pecflow ${role} listening on ${await app.getUrl()}`, 'main');
}

async function startWorker(context: { get: NestExpressApplication['get'] }): Promise<void> {
  context.get(JobWorker).start();
  await context.get(SessionJanitor).schedule();
  await context.get(PackExpiryWarnings).schedule();
  await scheduleHoldSweeps(context.get(JobQueues), context.get<AppConfig>(APP_CONFIG), [STALE_CALL_HOLDS_JOB, PEC_SEND_HOLDS_JOB]);
  // Redis may have lost delayed jobs (flushed, restored from an old snapshot): PostgreSQL has the timers.
  await context.get(TimerJobs).rederive();
  await context.get(ServiceJobs).rederive();
  await context.get(PecSender).rederive();
  await context.get(InboundJobs).rederive();
  await context.get(RecipientImport).rederive();
  await context.get(CampaignDispatch).rederive();
  context.get(IntakeSupervisor).start();
  // Intake processes that could not start (the process was not deployed then) and can now.
  await context.get(IntakeStarts).retryAllFailed();
  await context.get(ThrownSignals).rederive();
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
