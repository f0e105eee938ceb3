import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TenantContext } from '../../db/tenant-context.js';
import { PlugInvocation } from '../../plugs/plug-invocation.js';
import { HandlesJob } from '../../queue/job-handler.js';
import { QUEUE_NAMES } from '../../queue/queue-names.js';
import type { RecipientStatus } from '../correlation/recipient-states.js';
import { sendCall } from './send-metering.js';

/** Its maintenance job, scheduled by the worker (scheduleHoldSweeps). */
export const PEC_SEND_HOLDS_JOB = 'beats-pec-send-holds';

/** Recipients the provider took the message for: charged. `refused` and `unknown` are not. */
const TAKEN: RecipientStatus[] = ['accepted', 'warned', 'delivered', 'failed', 'failed-timeout', 'external'];
/** Recipients whose outcome is still to come: the hold waits. */
const UNDECIDED: RecipientStatus[] = ['queued', 'sending'];

interface DecidedHold {
  message_id: string;
  tenant_id: string;
  slug: string;
  taken: number;
}

/**
 * Settles the beats hold of a PEC whose SMTP outcome the sender never learnt (its worker died
 * mid-call, decision 0016), from what the receipts said afterwards (decision 0029): once no recipient
 * is `queued` or `sending` any more, the recipients the provider took (an accettazione moved them on)
 * are charged and the rest released — all of it when a non-accettazione refused the message, or when
 * PEC_SEND_UNKNOWN_AFTER_MS passed without receipts and the recipients became `unknown`. The sender
 * settles its own holds at once when it learns the outcome; this finds only those it could not.
 * Housekeeping across tenants on a maintenance schedule; settling is idempotent by the message's key.
 */
@Injectable()
export class SendHoldSweep {
  private readonly logger = new Logger(SendHoldSweep.name);

  constructor(
    private readonly plugs: PlugInvocation,
    private readonly dataSource: DataSource,
  ) {}

  @HandlesJob(QUEUE_NAMES.maintenance, PEC_SEND_HOLDS_JOB)
  async sweep(): Promise<{ settled: number }> {
    const decided = await this.dataSource.query<DecidedHold[]>(
      `SELECT m.id AS message_id, m.tenant_id, t.slug,
              count(*) FILTER (WHERE p.status = ANY($1))::int AS taken
         FROM beat_reservations r
         -- The hold of a queued PEC is keyed 'pec.send:<message id>' (a plug call's attempts are not).
         JOIN pec_messages m ON m.tenant_id = r.tenant_id
                            AND m.id = CASE WHEN r.idempotency_key ~ '^pec\\.send:[0-9a-f-]{36}$' THEN substr(r.idempotency_key, 10)::uuid END
         JOIN pec_recipients p ON p.message_id = m.id
         JOIN tenants t ON t.id = m.tenant_id
        WHERE r.status = 'open' AND r.plug = 'pec.send' AND m.attempted_at IS NOT NULL
        GROUP BY m.id, m.tenant_id, t.slug
       HAVING NOT bool_or(p.status = ANY($2))
        LIMIT 1000`,
      [TAKEN, UNDECIDED],
    );
    for (const hold of decided)
      await TenantContext.run({ tenantId: hold.tenant_id, slug: hold.slug }, () =>
        hold.taken > 0
          ? this.plugs.settle(sendCall(hold.message_id, hold.taken, null))
          : this.plugs.cancel(sendCall(hold.message_id, 0, null)),
      );
    if (decided.length > 0) this.logger.log(`settled the beats of ${decided.length} PEC of unknown send outcome`);
    return { settled: decided.length };
  }
}
