import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DataSource, In } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config.module.js';
import { TenantContext } from '../../db/tenant-context.js';
import { TenantScopedRepository } from '../../db/tenant-scoped.repository.js';
import { JobQueues } from '../../queue/job-queues.js';
import { HandlesJob } from '../../queue/job-handler.js';
import type { TenantJobData } from '../../queue/job-worker.js';
import { QUEUE_NAMES } from '../../queue/queue-names.js';
import { SecretBox } from '../../secrets/secret-box.js';
import { parsePec } from '../pec-parser.js';
import { InboundMessageHandlers, type InboundItem } from './inbound-handlers.js';
import { InboundMessage } from './inbound-message.entity.js';
import { summarise } from './inbound-summary.js';
import { IntakeStore, sourceContext } from './intake-store.js';

export const PROCESS_INBOUND_JOB = 'process-inbound';

export interface InboundJobData extends TenantJobData {
  /** Rows of the job's tenant, typically what one FETCH brought. */
  messageIds: string[];
}

/** Rows of one tenant to hand to one job. */
export interface InboundToQueue {
  tenantId: string;
  slug: string;
  ids: string[];
}

/**
 * The hand-off after a batch of rows commits: one pec-inbound job for the batch, its id the first
 * row's, so it is queued once however often it is added (a job per message cost more in Redis round
 * trips than the parsing: docs/decisions/0032). The handler parses the sealed sources, stores kind
 * and summary, runs the registered InboundMessageHandlers on the batch and marks the rows
 * processed; rows already processed are skipped, so doing it again changes nothing.
 */
@Injectable()
export class InboundJobs {
  private readonly logger = new Logger(InboundJobs.name);
  private readonly messages: TenantScopedRepository<InboundMessage>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: JobQueues,
    private readonly secrets: SecretBox,
    private readonly handlers: InboundMessageHandlers,
    private readonly store: IntakeStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.messages = new TenantScopedRepository(dataSource, InboundMessage);
  }

  async enqueue({ tenantId, slug, ids }: InboundToQueue): Promise<void> {
    if (ids.length === 0) return;
    const data: InboundJobData = { tenant: { tenantId, slug }, messageIds: ids };
    await this.queues.get(QUEUE_NAMES.pecInbound).add(PROCESS_INBOUND_JOB, data, { jobId: ids[0] });
  }

  /** At worker start, and when a reader takes a mailbox over: the rows whose job may have been lost, a batch per job. */
  async rederive(mailboxId?: string): Promise<number> {
    const rows = await this.store.pending(mailboxId);
    const byTenant = new Map<string, InboundToQueue>();
    for (const row of rows) {
      const batch = byTenant.get(row.tenantId) ?? { tenantId: row.tenantId, slug: row.slug, ids: [] };
      batch.ids.push(row.id);
      byTenant.set(row.tenantId, batch);
    }
    for (const { tenantId, slug, ids } of byTenant.values()) {
      for (let start = 0; start < ids.length; start += this.config.PEC_INTAKE_BATCH_SIZE) {
        await this.enqueue({ tenantId, slug, ids: ids.slice(start, start + this.config.PEC_INTAKE_BATCH_SIZE) });
      }
    }
    if (rows.length > 0) this.logger.log(`re-added the pec-inbound jobs of ${rows.length} messages`);
    return rows.length;
  }

  @HandlesJob(QUEUE_NAMES.pecInbound, PROCESS_INBOUND_JOB)
  async process(job: Job<InboundJobData>): Promise<{ processed: number }> {
    const rows = await this.messages.find({ id: In(job.data.messageIds), state: 'received' }, { order: { uid: 'ASC' } });
    if (rows.length === 0) return { processed: 0 };
    try {
      await this.processAll(rows);
      return { processed: rows.length };
    } catch (error) {
      if (rows.length === 1) throw error;
    }
    // One message the batch cannot take (unparseable, a handler's failure) must not hold the others
    // back: each goes alone, and the job fails (and is retried) for those that failed again.
    let failure: Error | undefined;
    let processed = 0;
    for (const row of rows) {
      try {
        await this.processAll([row]);
        processed += 1;
      } catch (error) {
        failure ??= error instanceof Error ? error : new Error(String(error));
      }
    }
    if (failure) throw failure;
    return { processed };
  }

  private async processAll(rows: InboundMessage[]): Promise<void> {
    // The batch's parses run together rather than one after the other: measured, the worker then spends
    // 1.0 ms of CPU a receipt instead of 1.4 (docs/decisions/0032).
    const items: InboundItem[] = await Promise.all(
      rows.map(async (message) => {
        const raw = this.secrets.openBytes(message.raw, sourceContext(message.id));
        const parsed = await parsePec(raw);
        Object.assign(message, { kind: parsed.kind, summary: summarise(parsed), messageId: parsed.messageId });
        return { message, parsed, raw };
      }),
    );
    await this.dataSource.query(
      `UPDATE pec_inbound_messages m SET kind = p.kind, summary = p.summary, message_id = p.message_id
       FROM unnest($2::uuid[], $3::text[], $4::jsonb[], $5::text[]) AS p(id, kind, summary, message_id)
       WHERE m.tenant_id = $1 AND m.id = p.id`,
      [
        TenantContext.current().tenantId,
        rows.map((row) => row.id),
        rows.map((row) => row.kind),
        rows.map((row) => JSON.stringify(row.summary)),
        rows.map((row) => row.messageId),
      ],
    );
    await this.handlers.run(items);
    await this.messages.update({ id: In(rows.map((row) => row.id)), state: 'received' }, { state: 'processed', processedAt: new Date() });
  }
}
