import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import type { Principal } from '../access/principal.js';
import { writeRosterCsv, writeRosterXlsx } from '../access/provisioning/roster-writer.js';
import type { RosterEntry } from '../access/provisioning/roster.js';
import { ActivityLog } from '../audit/activity-log.js';
import { actorOf, UserAdministration } from './user-administration.js';

/** Rosters larger than this are refused before they are read. */
export const ROSTER_UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024;

/** Exports the users the principal can see, in the roster format the import reads back. */
@Injectable()
export class RosterExport {
  constructor(
    private readonly administration: UserAdministration,
    private readonly activity: ActivityLog,
  ) {}

  async entries(principal: Principal): Promise<RosterEntry[]> {
    return (await this.administration.list(principal)).map((user) => ({
      email: user.email,
      name: user.displayName,
      roles: [...new Set(user.grants.map((g) => g.role))],
      offices: [...new Set(user.grants.flatMap((g) => (g.office ? [g.office] : [])))],
      memberships: user.grants.map((g) => ({ role: g.role, office: g.office })),
      status: user.status === 'blocked' ? 'disabled' : 'active',
    }));
  }

  async send(principal: Principal, format: 'csv' | 'xlsx', res: Response): Promise<void> {
    const entries = await this.entries(principal);
    const stamp = new Date().toISOString().slice(0, 10);
    await this.activity.record({ action: 'user.exported', actor: actorOf(principal), details: { format, count: entries.length } });
    if (format === 'csv') {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="utenti-${stamp}.csv"`);
      res.send(writeRosterCsv(entries));
      return;
    }
    res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.setHeader('Content-Disposition', `attachment; filename="utenti-${stamp}.xlsx"`);
    res.send(await writeRosterXlsx(entries));
  }
}
