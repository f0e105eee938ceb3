import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { TenantContext } from '../db/tenant-context.js';
import { TenantScopedRepository } from '../db/tenant-scoped.repository.js';
import { JobQueues } from '../queue/job-queues.js';
import type { TenantJobData } from '../queue/job-worker.js';
import { QUEUE_NAMES } from '../queue/queue-names.js';
import { ThrownSignal } from './thrown-signal.entity.js';

export const RELAY_SIGNAL_JOB = 'relay-signal';

export interface RelaySignalJobData extends TenantJobData {
  thrownSignalId: string;
}

/** A thrown signal's row, to hand to the queue once the step that recorded it has committed. */
export interface SignalToRelay {
  thrownSignalId: string;
  tenant: { tenantId: string; slug: string };
}

@Injectable()
export class ThrownSignalRepository extends TenantScopedRepository<ThrownSignal> {
  constructor(dataSource: DataSource) {
    super(dataSource, ThrownSignal);
  }
}

interface PendingRow {
  id: string;
  tenant_id: string;
  slug: string;
}

/**
 * The outbox of signals thrown by instances: recorded in the throwing step's transaction, relayed by
 * a job after the commit (jobId = row id), re-derived at worker start; the relay is a broadcast whose
 * signalId is the row's, so a job run twice reaches each instance once.
 */
@Injectable()
export class ThrownSignals {
  private readonly logger = new Logger(ThrownSignals.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly rows: ThrownSignalRepository,
    private readonly queues: JobQueues,
  ) {}

  async record(manager: EntityManager, instanceId: string, names: string[]): Promise<SignalToRelay[]> {
    const scope = TenantContext.current();
    const toRelay: SignalToRelay[] = [];
    for (const signalName of names) {
      const saved = await this.rows.within(manager).insert({ instanceId, signalName, state: 'pending' });
      toRelay.push({ thrownSignalId: saved.id, tenant: { tenantId: scope.tenantId, slug: scope.slug } });
    }
    return toRelay;
  }

  async enqueue(signals: SignalToRelay[]): Promise<void> {
    const queue = this.queues.get(QUEUE_NAMES.processSignals);
    for (const signal of signals) {
      const data: RelaySignalJobData = { tenant: signal.tenant, thrownSignalId: signal.thrownSignalId };
      await queue.add(RELAY_SIGNAL_JOB, data, {
        jobId: signal.thrownSignalId,
        attempts: 5,
        backoff: { type: 'exponential', delay: 1_000 },
      });
    }
  }

  /** At worker start: a job for every pending row of every tenant (reads the table directly, like timers). */
  async rederive(): Promise<number> {
    const rows = await this.dataSource.query<PendingRow[]>(
      `SELECT s.id, s.tenant_id, n.slug FROM thrown_signals s JOIN tenants n ON n.id = s.tenant_id WHERE s.state = 'pending'`,
    );
    await this.enqueue(rows.map((row) => ({ thrownSignalId: row.id, tenant: { tenantId: row.tenant_id, slug: row.slug } })));
    if (rows.length > 0) this.logger.log(`re-derived ${rows.length} thrown signal jobs`);
    return rows.length;
  }
}
