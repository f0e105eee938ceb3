import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { TenantContext } from '../../db/tenant-context.js';

/** A recipient taken for sending: what composing and submitting its PEC needs. */
export interface ClaimedRecipient {
  id: string;
  rowNumber: number;
  address: string;
  variables: string;
  attachmentFileId: string | null;
  messageId: string;
}

/** How one submission ended, as the batch writes it back. */
export type SubmissionOutcome =
  /** `at`: when the provider answered 250 (a batch is written back after its last send). */
  | { id: string; outcome: 'sent'; at: Date }
  /** Final: a permanent SMTP refusal or a message too large to send; the provider's code and text. */
  | { id: string; outcome: 'failed'; code: string; text: string }
  /** The provider certainly did not take it: back to `queued`, sent again later. */
  | { id: string; outcome: 'retry' }
  /** Maybe taken (connection lost in DATA): stays `sending` until a receipt or the waiting time says. */
  | { id: string; outcome: 'unknown' };

/**
 * The pipeline's statements on `campaign_recipients`, each one round trip for a whole batch: claiming
 * with `FOR UPDATE SKIP LOCKED` (any number of workers, none takes a row twice), writing outcomes back,
 * re-queuing attempts whose outcome stayed unknown. Raw SQL for the batch forms (`unnest`), scoped by
 * the tenant of the context like every repository query (decision 0002).
 */
@Injectable()
export class RecipientBatches {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Takes up to `limit` queued rows in file order and records the attempt (`sending`, `attempted_at`)
   * BEFORE any SMTP call, only while the campaign is `sending`: a pause or cancel committed before
   * this statement stops the next batch at once.
   */
  async claim(campaignId: string, limit: number): Promise<ClaimedRecipient[]> {
    return returned<ClaimedRecipient>(
      await this.dataSource.query(
        `UPDATE campaign_recipients r SET state = 'sending', attempted_at = now(), updated_at = now()
        WHERE r.id IN (
          SELECT q.id FROM campaign_recipients q
           WHERE q.tenant_id = $1 AND q.campaign_id = $2 AND q.state = 'queued'
             AND EXISTS (SELECT 1 FROM campaigns c WHERE c.tenant_id = $1 AND c.id = $2 AND c.status = 'sending')
           ORDER BY q.row_number LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING r.id, r.row_number AS "rowNumber", r.address, r.variables,
                  r.attachment_file_id AS "attachmentFileId", r.message_id AS "messageId"`,
        [this.tenant(), campaignId, limit],
      ),
    );
  }

  /**
   * Runs a claimed batch's submissions in a transaction that holds its rows locked: while the worker
   * lives, `requeueUnanswered` (SKIP LOCKED) cannot take its rows however slow the provider is; when
   * it dies, PostgreSQL ends its session and the locks with it. Outcomes and charges are written in
   * the same transaction.
   */
  async holding<T>(ids: readonly string[], work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT id FROM campaign_recipients WHERE tenant_id = $1 AND id = ANY($2::uuid[]) FOR UPDATE`, [
        this.tenant(),
        ids,
      ]);
      return work(manager);
    });
  }

  /** Writes a batch's outcomes (inside `holding`); answers the ids that became `sent` (to be charged). */
  async record(manager: EntityManager, outcomes: readonly SubmissionOutcome[]): Promise<string[]> {
    const ids = (kind: SubmissionOutcome['outcome']) => outcomes.filter((o) => o.outcome === kind).map((o) => o.id);
    const failed = outcomes.filter((o): o is Extract<SubmissionOutcome, { outcome: 'failed' }> => o.outcome === 'failed');
    // A receipt may already have moved the row on (the accettazione can beat this statement): only `sending` rows move.
    const taken = outcomes.filter((o): o is Extract<SubmissionOutcome, { outcome: 'sent' }> => o.outcome === 'sent');
    const sent = returned<{ id: string }>(
      await manager.query(
        `UPDATE campaign_recipients r SET state = CASE WHEN r.state = 'sending' THEN 'sent' ELSE r.state END,
                  sent_at = coalesce(r.sent_at, s.at), updated_at = now()
             FROM unnest($2::uuid[], $3::timestamptz[]) AS s(id, at)
            WHERE r.tenant_id = $1 AND r.id = s.id RETURNING r.id`,
        [this.tenant(), taken.map((o) => o.id), taken.map((o) => o.at)],
      ),
    );
    if (failed.length > 0)
      await manager.query(
        `UPDATE campaign_recipients r SET state = 'failed', failed_at = now(), error_code = f.code, error_text = f.text, updated_at = now()
             FROM unnest($2::uuid[], $3::text[], $4::text[]) AS f(id, code, text)
            WHERE r.tenant_id = $1 AND r.id = f.id AND r.state = 'sending'`,
        [this.tenant(), failed.map((f) => f.id), failed.map((f) => f.code), failed.map((f) => f.text)],
      );
    await this.requeue(manager, ids('retry'));
    return sent.map((row) => row.id);
  }

  /**
   * Attempts recorded more than `waitMs` ago that are still `sending`: no receipt for their Message-ID
   * came (it would have moved the row in the same transaction that stored it), so the provider never
   * took them and they are queued again. Rows a live worker is still submitting are locked by it
   * (`holding`) and skipped. Answers how many.
   */
  async requeueUnanswered(campaignId: string, waitMs: number): Promise<number> {
    const rows = returned<{ id: string }>(
      await this.dataSource.query(
        `UPDATE campaign_recipients SET state = 'queued', attempted_at = NULL, updated_at = now()
          WHERE id IN (
            SELECT id FROM campaign_recipients
             WHERE tenant_id = $1 AND campaign_id = $2 AND state = 'sending'
               AND attempted_at < now() - make_interval(secs => $3::float / 1000)
             FOR UPDATE SKIP LOCKED)
        RETURNING id`,
        [this.tenant(), campaignId, waitMs],
      ),
    );
    return rows.length;
  }

  /** The oldest attempt still waiting for its outcome, if any: when to look again. */
  async oldestUnanswered(campaignId: string): Promise<Date | null> {
    const [row] = await this.dataSource.query<{ at: Date | null }[]>(
      `SELECT min(attempted_at) AS at FROM campaign_recipients WHERE tenant_id = $1 AND campaign_id = $2 AND state = 'sending'`,
      [this.tenant(), campaignId],
    );
    return row?.at ?? null;
  }

  private async requeue(manager: EntityManager, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await manager.query(
      `UPDATE campaign_recipients SET state = 'queued', attempted_at = NULL, updated_at = now()
        WHERE tenant_id = $1 AND id = ANY($2::uuid[]) AND state = 'sending'`,
      [this.tenant(), ids],
    );
  }

  private tenant(): string {
    return TenantContext.current().tenantId;
  }
}

/** TypeORM answers an UPDATE … RETURNING on PostgreSQL as `[rows, rowCount]`. */
export function returned<T>(result: unknown): T[] {
  return (result as [T[], number])[0];
}
