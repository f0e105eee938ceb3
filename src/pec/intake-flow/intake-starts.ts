import { Injectable, Logger } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { ProblemException } from '../../api/problem.js';
import { ActivityLog } from '../../audit/activity-log.js';
import { TenantContext } from '../../db/tenant-context.js';
import { TenantScopedRepository } from '../../db/tenant-scoped.repository.js';
import { ProcessRuntime } from '../../process/process-runtime.js';
import type { JsonObject } from '../../process/process-instance.entity.js';
import type { PecResult } from '../pec-result.js';
import { InboundMessage } from '../intake/inbound-message.entity.js';
import type { InboundSummary } from '../intake/inbound-summary.js';
import { IntakeStart } from './intake-start.entity.js';
import { PecRouting } from './pec-routing.js';

/** The process every incoming PEC starts (workflows/pec/intake.bpmn). */
export const INTAKE_PROCESS_KEY = 'pec-intake';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface IntakeFailureView {
  id: string;
  /** The incoming PEC (/pec/messages/{messageId}). */
  messageId: string;
  mailboxAddress: string;
  subject: string | null;
  error: string;
  attempts: number;
  failingSince: string;
  lastAttemptAt: string;
}

/**
 * Whether a parsed message is one a person must work (docs/decisions/0021): a busta di trasporto, a
 * busta di anomalia that is not a bounce of ours (mail from outside PEC, or a PEC the provider could
 * not vouch for), ordinary mail delivered straight into the box, and their REM equivalents. Receipts
 * are the correlator's; a bounce is a receipt in disguise.
 */
export function startsIntake(parsed: Pick<PecResult, 'kind' | 'bounce' | 'rem'>): boolean {
  const meaning = parsed.kind === 'rem' ? parsed.rem?.pecKind : parsed.kind;
  if (meaning === 'posta-certificata' || parsed.kind === 'not-pec') return true;
  return meaning === 'anomalia' && parsed.bounce === undefined;
}

/**
 * Starts the intake process of an incoming PEC, exactly once: the start carries `pec-intake:<row id>`
 * as its start key (unique per workspace, checked under an advisory lock in the start's own
 * transaction), so a replayed job, a second worker or a retry after a crash finds the instance the
 * first start made. A failure is never thrown back at the intake (the message is stored; the other
 * handlers must still run): it is recorded on the message's row, logged, in the activity log, and
 * retried by an admin (API), or at a worker start once the process is deployed.
 */
@Injectable()
export class IntakeStarts {
  private readonly logger = new Logger(IntakeStarts.name);
  private readonly starts: TenantScopedRepository<IntakeStart>;
  private readonly messages: TenantScopedRepository<InboundMessage>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly runtime: ProcessRuntime,
    private readonly routing: PecRouting,
    private readonly activity: ActivityLog,
  ) {
    this.starts = new TenantScopedRepository(dataSource, IntakeStart);
    this.messages = new TenantScopedRepository(dataSource, InboundMessage);
  }

  /** The inbound handler: in the message's tenant scope, once it is parsed. */
  async handle(message: InboundMessage, parsed: PecResult): Promise<void> {
    if (startsIntake(parsed)) await this.start(message);
  }

  /** Starts (or finds) the message's instance; true when it runs. */
  async start(message: InboundMessage): Promise<boolean> {
    const done = await this.starts.findOne({ inboundMessageId: message.id });
    if (done?.state === 'started') return true;
    try {
      const variables = await this.variablesOf(message);
      const started = await this.runtime.start(INTAKE_PROCESS_KEY, message.id, variables, null, { startKey: `pec-intake:${message.id}` });
      await this.record(message.id, { state: 'started', instanceId: started.id, error: null });
      return true;
    } catch (error) {
      const reason = describe(error);
      this.logger.warn(`intake process not started for inbound message ${message.id}: ${reason}`);
      await this.record(message.id, { state: 'failed', instanceId: null, error: reason });
      await this.activity.record({
        action: 'pec.intake-start-failed',
        actor: 'system',
        resource: { type: 'pec-message', id: message.id },
        details: { mailbox: message.mailboxAddress, error: reason },
      });
      return false;
    }
  }

  /** The failed starts, the oldest first (what an admin has to look at). */
  async failures(): Promise<IntakeFailureView[]> {
    const rows = await this.starts.find({ state: 'failed' }, { order: { createdAt: 'ASC' }, take: 200 });
    const messages = rows.length > 0 ? await this.messages.find({ id: In(rows.map((row) => row.inboundMessageId)) }) : [];
    const byId = new Map(messages.map((message) => [message.id, message]));
    return rows.map((row) => {
      const message = byId.get(row.inboundMessageId);
      return {
        id: row.id,
        messageId: row.inboundMessageId,
        mailboxAddress: message?.mailboxAddress ?? '',
        subject: message?.summary ? subjectOf(message.summary) : null,
        error: row.error ?? '',
        attempts: row.attempts,
        failingSince: row.createdAt.toISOString(),
        lastAttemptAt: row.updatedAt.toISOString(),
      };
    });
  }

  /** An admin's retry: 404 unknown, 409 when it is not failed (any more); answers whether it started now. */
  async retry(id: string): Promise<{ started: boolean; processInstanceId: string | null; error: string | null }> {
    if (!UUID.test(id)) throw new ProblemException(404, 'not-found');
    const row = await this.starts.findOne({ id });
    if (!row) throw new ProblemException(404, 'not-found');
    if (row.state !== 'failed') throw new ProblemException(409, 'conflict');
    const message = await this.messages.findOne({ id: row.inboundMessageId });
    if (!message) throw new ProblemException(404, 'not-found');
    await this.start(message);
    const after = (await this.starts.findOne({ id }))!;
    return {
      started: after.state === 'started',
      processInstanceId: after.instanceId,
      error: after.state === 'failed' ? after.error : null,
    };
  }

  /**
   * At worker start: the failed starts of the workspaces that have the process now (deployed since the
   * failure) are tried again. A workspace without it keeps its failures listed until an admin deploys
   * it and retries: trying them all at every start would only write the same failure again.
   */
  async retryAllFailed(): Promise<number> {
    const rows = await this.dataSource.query<{ tenant_id: string; slug: string; inbound_message_id: string }[]>(
      `SELECT s.tenant_id, t.slug, s.inbound_message_id FROM pec_intake_starts s JOIN tenants t ON t.id = s.tenant_id
       WHERE s.state = 'failed' AND t.enabled
         AND EXISTS (SELECT 1 FROM process_definitions d WHERE d.tenant_id = s.tenant_id AND d.key = $1)
       ORDER BY s.created_at`,
      [INTAKE_PROCESS_KEY],
    );
    let started = 0;
    for (const row of rows) {
      await TenantContext.run({ tenantId: row.tenant_id, slug: row.slug }, async () => {
        const message = await this.messages.findOne({ id: row.inbound_message_id });
        if (message && (await this.start(message))) started += 1;
      });
    }
    if (rows.length > 0) this.logger.log(`intake processes retried: ${started} of ${rows.length} started`);
    return started;
  }

  /** What the process knows of the message: references and envelope, never the body (it stays sealed). */
  private async variablesOf(message: InboundMessage): Promise<JsonObject> {
    const summary = message.summary;
    const settings = await this.routing.settings();
    return {
      messageId: message.id,
      mailboxId: message.mailboxId,
      mailboxAddress: message.mailboxAddress,
      subject: summary ? subjectOf(summary) : null,
      sender: summary?.sender ?? null,
      receivedAt: (message.receivedAt ?? message.recordedAt).toISOString(),
      kind: message.kind,
      takeChargeWithin: settings.takeChargeWithin,
    };
  }

  private async record(inboundMessageId: string, values: Pick<IntakeStart, 'state' | 'instanceId' | 'error'>): Promise<void> {
    // One row per message: the first attempt inserts it, later ones update it (a concurrent pair of attempts both land here).
    await this.dataSource.query(
      `INSERT INTO pec_intake_starts (tenant_id, inbound_message_id, state, instance_id, error, attempts)
       VALUES ($1, $2, $3, $4, $5, 1)
       ON CONFLICT (inbound_message_id) DO UPDATE SET state = EXCLUDED.state, instance_id = EXCLUDED.instance_id,
         error = EXCLUDED.error, attempts = pec_intake_starts.attempts + 1, updated_at = now()`,
      [TenantContext.current().tenantId, inboundMessageId, values.state, values.instanceId, values.error],
    );
  }
}

/** The subject the sender wrote: a busta's own subject is "POSTA CERTIFICATA: <that>". */
function subjectOf(summary: InboundSummary): string | null {
  return summary.originalSubject ?? summary.subject;
}

/** The reason in an admin's words: the runtime's problems carry their type and field, not a sentence. */
function describe(error: unknown): string {
  if (error instanceof ProblemException) {
    const fields = (error.extras.errors ?? []).map((e) => ('field' in e ? e.field : e.elementId));
    if (fields.includes('definitionKey')) return `no deployed process "${INTAKE_PROCESS_KEY}"`;
    return [error.problemType, error.detail].filter(Boolean).join(': ');
  }
  return error instanceof Error ? error.message.slice(0, 500) : String(error).slice(0, 500);
}
