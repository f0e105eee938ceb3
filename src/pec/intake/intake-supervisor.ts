import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config.module.js';
import { openCredentials } from '../../mailboxes/mailbox-credentials.js';
import type { Security } from '../../mailboxes/mailbox-presets.js';
import { SecretBox } from '../../secrets/secret-box.js';
import { InboundJobs } from './inbound-jobs.js';
import { IntakeLease } from './intake-lease.js';
import { IntakeStore } from './intake-store.js';
import { MailboxReader, type ReaderDeps, type ReaderTarget } from './mailbox-reader.js';
import { MailboxStatus } from './mailbox-status.js';

interface MailboxRow {
  id: string;
  tenant_id: string;
  slug: string;
  address: string;
  imap_host: string;
  imap_port: number;
  imap_security: Security;
  credentials: string;
  updated_at: Date;
}

/**
 * The worker role's intake: every mailbox of every enabled workspace gets one reader, in the one
 * worker holding its lease. Each tick (a quarter of the lease TTL) renews the leases held, stops the
 * readers of mailboxes removed, changed (address, server, credentials: a new version) or whose lease
 * was lost, and claims the mailboxes nobody reads.
 */
@Injectable()
export class IntakeSupervisor implements OnApplicationShutdown {
  private readonly logger = new Logger(IntakeSupervisor.name);
  private readonly readers = new Map<string, { reader: MailboxReader; version: string }>();
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly lease: IntakeLease,
    private readonly store: IntakeStore,
    private readonly jobs: InboundJobs,
    private readonly status: MailboxStatus,
    private readonly secrets: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  start(): void {
    this.logger.log(`PEC intake started (worker ${this.lease.token})`);
    const tick = () => {
      this.ticking ??= this.tick()
        .catch((error: unknown) => this.logger.error(`intake tick failed: ${String(error)}`))
        .finally(() => (this.ticking = undefined));
    };
    tick();
    this.timer = setInterval(tick, this.lease.renewEveryMs);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.ticking;
    await Promise.all([...this.readers.keys()].map((id) => this.stopReader(id, true)));
  }

  private async tick(): Promise<void> {
    if (this.stopping) return;
    const mailboxes = new Map((await this.mailboxes()).map((row) => [row.id, row]));
    for (const [id, running] of this.readers) {
      const row = mailboxes.get(id);
      if (!row || versionOf(row) !== running.version) await this.stopReader(id, true);
      else if (!(await this.lease.renew(id))) {
        this.logger.warn(`lost the lease on mailbox ${row.address}: another worker reads it now`);
        await this.stopReader(id, false);
      }
    }
    for (const row of mailboxes.values()) {
      if (this.stopping || this.readers.has(row.id) || !(await this.lease.acquire(row.id))) continue;
      await this.startReader(row);
    }
  }

  private async startReader(row: MailboxRow): Promise<void> {
    let target: ReaderTarget;
    try {
      target = {
        id: row.id,
        address: row.address,
        scope: { tenantId: row.tenant_id, slug: row.slug },
        imap: { host: row.imap_host, port: row.imap_port, security: row.imap_security },
        ...openCredentials(this.secrets, row.id, row.credentials),
      };
    } catch (error) {
      this.logger.error(`mailbox ${row.address}: credentials do not open (${String(error)})`);
      await this.lease.release(row.id);
      return;
    }
    const reader = new MailboxReader(target, this.deps());
    this.readers.set(row.id, { reader, version: versionOf(row) });
    reader.start();
  }

  private async stopReader(id: string, release: boolean): Promise<void> {
    const running = this.readers.get(id);
    if (!running) return;
    this.readers.delete(id);
    await running.reader.stop();
    if (release) await this.lease.release(id);
  }

  private deps(): ReaderDeps {
    return {
      store: this.store,
      jobs: this.jobs,
      status: this.status,
      reconcileMs: Math.round(this.config.PEC_INTAKE_RECONCILE_SECONDS * 1000),
      batchSize: this.config.PEC_INTAKE_BATCH_SIZE,
      backoffCapMs: Math.round(this.config.PEC_INTAKE_BACKOFF_CAP_SECONDS * 1000),
    };
  }

  /** Across tenants (like the timer re-derivation): the supervisor is not inside any one workspace. */
  private mailboxes(): Promise<MailboxRow[]> {
    return this.dataSource.query<MailboxRow[]>(
      `SELECT m.id, m.tenant_id, t.slug, m.address, m.imap_host, m.imap_port, m.imap_security, m.credentials, m.updated_at
       FROM mailboxes m JOIN tenants t ON t.id = m.tenant_id WHERE t.enabled ORDER BY m.id`,
    );
  }
}

function versionOf(row: MailboxRow): string {
  return [row.address, row.imap_host, row.imap_port, row.imap_security, row.credentials].join('|');
}
