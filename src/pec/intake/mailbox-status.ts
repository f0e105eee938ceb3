import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ActivityLog } from '../../audit/activity-log.js';
import { TenantContext } from '../../db/tenant-context.js';
import type { ProbeReason } from '../../mailboxes/mailbox-probe.js';

/**
 * Keeps the mailbox's `state` true while the intake reads it: `connected` once logged in and INBOX
 * open, `failing` with `imap:<reason>` when a session fails; `state_since` moves only on a change,
 * `checked_at` on every report. Same vocabulary as the probe, so API and pages show it as they are.
 * A change (not every retry of a mailbox that keeps failing) goes to the activity log.
 */
@Injectable()
export class MailboxStatus {
  constructor(
    private readonly dataSource: DataSource,
    private readonly activity: ActivityLog,
  ) {}

  connected(mailboxId: string): Promise<void> {
    return this.set(mailboxId, 'connected', null);
  }

  failing(mailboxId: string, reason: ProbeReason): Promise<void> {
    return this.set(mailboxId, 'failing', `imap:${reason}`);
  }

  private async set(mailboxId: string, state: 'connected' | 'failing', reason: string | null): Promise<void> {
    const rows = await this.dataSource.query<{ address: string; changed: boolean }[]>(
      // A SELECT around the UPDATE: TypeORM hands back an UPDATE's RETURNING rows in another shape.
      `WITH before AS (SELECT id, state, state_reason FROM mailboxes WHERE tenant_id = $1 AND id = $2 FOR UPDATE),
       updated AS (
         UPDATE mailboxes m SET
           state_since = CASE WHEN before.state IS DISTINCT FROM $3 OR before.state_reason IS DISTINCT FROM $4 THEN now() ELSE m.state_since END,
           state = $3, state_reason = $4, checked_at = now()
         FROM before WHERE m.id = before.id
         RETURNING m.address, (before.state IS DISTINCT FROM $3 OR before.state_reason IS DISTINCT FROM $4) AS changed)
       SELECT address, changed FROM updated`,
      [TenantContext.current().tenantId, mailboxId, state, reason],
    );
    const changed = rows.find((row) => row.changed);
    if (!changed) return;
    await this.activity.record({
      action: 'mailbox.state-changed',
      actor: 'system',
      resource: { type: 'mailbox', id: mailboxId },
      details: { address: changed.address, state, reason, by: 'intake' },
    });
  }
}
