import { Injectable } from '@nestjs/common';
import { ActivityLog } from '../audit/activity-log.js';
import { BeatsAdminAlerts } from './admin-alert-mail.js';
import { italianToday } from './beat-packs.js';

/**
 * Incoming PEC consumed beats the workspace did not have: the overdraft is in the activity log, and
 * the workspace's admins get an e-mail — one a day each (the alert's occurrence), not one per message.
 */
@Injectable()
export class OverdraftAlert {
  constructor(
    private readonly activity: ActivityLog,
    private readonly alerts: BeatsAdminAlerts,
  ) {}

  async raise(overdraft: number, subject: { type: string; id: string }): Promise<void> {
    await this.activity.record({ action: 'beats.overdraft', actor: 'system', resource: subject, details: { overdraft } });
    const day = italianToday();
    await this.alerts.mail({
      kind: 'beats-overdraft',
      occurrence: day,
      subject: 'beats.overdraft.subject',
      text: 'beats.overdraft.text',
      params: { day },
    });
  }
}
