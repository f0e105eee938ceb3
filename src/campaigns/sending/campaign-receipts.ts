import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RecipientStatus } from '../../pec/correlation/recipient-states.js';
import { ReceiptTargets, type ForwardedReceipt } from '../../pec/correlation/receipt-targets.js';
import { TenantContext } from '../../db/tenant-context.js';
import type { RecipientState } from '../campaign-states.js';
import { CampaignCharges } from './campaign-charges.js';
import { CampaignJobs } from './campaign-jobs.js';
import { returned } from './recipient-batches.js';

/** A campaign's Message-IDs (campaign-message-id.ts): `campaign.<campaign id>.<row>@<domain>`. */
const CAMPAIGN_MESSAGE_ID = /^campaign\.[0-9a-f-]{36}\.\d+@/i;

/** Where a receipt's target puts a campaign recipient. `external` (ordinary mail, no receipt will come) stays accepted. */
const STATE_OF: Record<RecipientStatus, RecipientState | null> = {
  queued: null,
  sending: null,
  unknown: null,
  accepted: 'accepted',
  external: 'accepted',
  refused: 'failed',
  warned: 'warned',
  delivered: 'delivered',
  failed: 'failed',
  'failed-timeout': 'failed-timeout',
};

/** Receipts arrive out of order: a state moves forward only, and a final one never changes. */
const RANK: Record<RecipientState, number> = {
  invalid: -1,
  queued: 0,
  sending: 1,
  sent: 2,
  accepted: 3,
  warned: 4,
  delivered: 5,
  failed: 5,
  'failed-timeout': 5,
};
const RANK_SQL = `CASE r.state ${Object.entries(RANK)
  .map(([state, rank]) => `WHEN '${state}' THEN ${rank}`)
  .join(' ')} END`;

const TIMESTAMP_OF: Partial<Record<RecipientState, string>> = {
  accepted: 'accepted_at',
  warned: 'warned_at',
  delivered: 'delivered_at',
  failed: 'failed_at',
  'failed-timeout': 'failed_at',
};

const FAILURES = new Set<RecipientState>(['failed', 'failed-timeout']);

/**
 * Receipt tracking of campaign recipients (issue #7 item 6, decision 0026): the PEC correlator hands
 * over every receipt that cites a campaign Message-ID, and it moves that one `campaign_recipients` row
 * (state, the state's timestamp, the provider's id, its error code and text) in the correlator's
 * transaction. A receipt for an attempt whose SMTP outcome was lost (worker killed) also charges it:
 * the provider took it. When a campaign being monitored gets a final state, a close check follows.
 */
@Injectable()
export class CampaignReceipts implements OnModuleInit {
  private readonly checked = new Map<string, number>();

  constructor(
    private readonly targets: ReceiptTargets,
    private readonly charges: CampaignCharges,
    private readonly jobs: CampaignJobs,
  ) {}

  onModuleInit(): void {
    this.targets.register({
      name: 'campaign',
      owns: (messageId) => CAMPAIGN_MESSAGE_ID.test(messageId),
      apply: (manager, receipt) => this.apply(manager, receipt),
    });
  }

  async apply(manager: EntityManager, receipt: ForwardedReceipt): Promise<boolean> {
    const state = STATE_OF[receipt.target];
    if (!state) return true;
    const column = TIMESTAMP_OF[state]!;
    const failure = FAILURES.has(state);
    const [row] = returned<MovedRow>(
      await manager.query(
        `UPDATE campaign_recipients r SET
            state = CASE WHEN ${RANK_SQL} < $3 THEN $4 ELSE r.state END,
            ${column} = coalesce(r.${column}, $5, now()),
            provider_id = coalesce(r.provider_id, $6),
            error_code = CASE WHEN $7 THEN coalesce($8, r.error_code) ELSE r.error_code END,
            error_text = CASE WHEN $7 THEN coalesce($9, r.error_text) ELSE r.error_text END,
            updated_at = now()
           FROM (SELECT q.id, q.state FROM campaign_recipients q WHERE q.tenant_id = $1 AND q.message_id = $2 FOR UPDATE) before,
                campaigns c
          WHERE r.id = before.id AND c.tenant_id = $1 AND c.id = r.campaign_id AND ($10::text IS NULL OR r.address = $10)
          RETURNING r.id, r.campaign_id AS "campaignId", before.state AS "before", r.state AS "after", c.status,
                    c.beats_per_recipient AS "beatsPerRecipient", c.beats_reservation_id AS "beatsReservationId", c.created_by AS "createdBy"`,
        [
          TenantContext.current().tenantId,
          receipt.messageId,
          RANK[state],
          state,
          receipt.at ?? null,
          receipt.providerId,
          failure,
          receipt.error,
          receipt.errorText,
          receipt.recipient,
        ],
      ),
    );
    if (!row) return false;
    // Taken by the provider while the sender never learnt it (killed after the 250): charged now, once (keyed per recipient).
    if ((row.before === 'sending' || row.before === 'queued') && receipt.kind !== 'non-accettazione')
      await this.charges.charge({ ...row, id: row.campaignId }, [row.id], manager);
    if (row.status === 'monitoring' && RANK[row.after] === 5) await this.closeSoon(row.campaignId);
    return true;
  }

  /** One close check per campaign and second, after this transaction has had time to commit. */
  private async closeSoon(campaignId: string): Promise<void> {
    const second = Math.floor(Date.now() / 1_000);
    if (this.checked.get(campaignId) === second) return;
    this.checked.set(campaignId, second);
    await this.jobs.closeCheck(campaignId, 2_000);
  }
}

interface MovedRow {
  id: string;
  campaignId: string;
  before: RecipientState;
  after: RecipientState;
  status: string;
  beatsPerRecipient: number;
  beatsReservationId: string | null;
  createdBy: string | null;
}
