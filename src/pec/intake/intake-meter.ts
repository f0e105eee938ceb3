import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Charge } from '../../beats/beats-meter.js';
import { OverdraftAlert } from '../../beats/overdraft-alert.js';
import { TenantContext } from '../../db/tenant-context.js';
import { PlugInvocation } from '../../plugs/plug-invocation.js';
import type { RecordedMessage } from './intake-store.js';

/** What is left to do once the intake's transaction has committed: activity entries and overdraft alerts. */
export type AfterIntakeCommit = () => Promise<void>;

/**
 * The single call point where incoming PEC is charged (`pec.receive`, one unit a message; receipts
 * are free). It charges INSIDE the intake's transaction that stores the messages (0029): a message is
 * never stored without its charge, whatever moment the process dies at, and incoming legal mail is
 * never refused — without credit the debit is recorded as overdraft. The activity entries and the
 * admins' overdraft alert follow the commit; their failures are logged, never the storage's concern.
 * Keyed by the stored row's id: charged once per message.
 */
@Injectable()
export class IntakeMeter {
  private readonly logger = new Logger(IntakeMeter.name);

  constructor(
    private readonly plugs: PlugInvocation,
    private readonly alert: OverdraftAlert,
  ) {}

  /** Charges the messages just inserted by `manager`'s transaction (the tenant context's). */
  async chargeWithin(manager: EntityManager, created: RecordedMessage[]): Promise<AfterIntakeCommit> {
    const scope = TenantContext.current();
    const charged: { subject: { type: string; id: string }; charge: Charge }[] = [];
    for (const { id, receipt } of created) {
      if (receipt) continue;
      const subject = { type: 'pec-inbound', id };
      const call = { plug: 'pec.receive', units: 1, key: id, principal: null, subject };
      charged.push({ subject, charge: await this.plugs.chargeAlways(call, manager) });
    }
    return () =>
      TenantContext.run(scope, async () => {
        for (const { subject, charge } of charged) {
          try {
            await charge.recordActivity();
            if (charge.overdraft > 0) await this.alert.raise(charge.overdraft, subject);
          } catch (error) {
            this.logger.warn(`beats activity or alert failed on ${subject.id} (the message is stored and charged): ${String(error)}`);
          }
        }
      });
  }
}
