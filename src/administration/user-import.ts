import { Injectable } from '@nestjs/common';
import { OrganisationService, UnknownOfficeError, UnknownRoleError } from '../access/organisation.service.js';
import type { Grant, Principal } from '../access/principal.js';
import { readRoster } from '../access/provisioning/roster-reader.js';
import type { RosterRow } from '../access/provisioning/roster.js';
import { ActivityLog } from '../audit/activity-log.js';
import { PasswordResetService } from '../identity/password-reset.service.js';
import { SessionService } from '../identity/session.service.js';
import { UserRepository } from '../identity/user.repository.js';
import { actorOf, type MailContext } from './user-administration.js';

export type ImportStatus = 'created' | 'updated' | 'disabled' | 'error';

export interface ImportProblem {
  field: string;
  code: string;
  params?: Record<string, string | number>;
}

export interface ImportRowReport {
  row: number;
  email: string;
  status: ImportStatus;
  errors: ImportProblem[];
}

export interface ImportReport {
  dryRun: boolean;
  rows: ImportRowReport[];
  totals: Record<ImportStatus, number>;
}

/**
 * Bulk provisioning from a roster (XLSX or CSV): each row creates, updates or disables one user.
 * The dry run takes exactly the same decisions without writing, so its report is what the real run
 * will do. Rows with errors are skipped; the others are applied.
 */
@Injectable()
export class UserImport {
  constructor(
    private readonly users: UserRepository,
    private readonly organisation: OrganisationService,
    private readonly sessions: SessionService,
    private readonly resets: PasswordResetService,
    private readonly activity: ActivityLog,
  ) {}

  async run(principal: Principal, file: Buffer, fileName: string, dryRun: boolean, mail: MailContext): Promise<ImportReport> {
    const { rows } = await readRoster(file, fileName);
    const tree = await this.organisation.tree();
    const report: ImportRowReport[] = [];
    for (const row of rows) report.push(await this.apply(row, dryRun, mail, () => this.organisation.resolve(row.memberships, tree)));
    const totals = { created: 0, updated: 0, disabled: 0, error: 0 };
    for (const r of report) totals[r.status] += 1;
    if (!dryRun) {
      await this.activity.record({
        action: 'provisioning.applied',
        actor: actorOf(principal),
        resource: { type: 'user-import', id: fileName },
        details: { totals },
      });
    }
    return { dryRun, rows: report, totals };
  }

  private async apply(row: RosterRow, dryRun: boolean, mail: MailContext, resolve: () => Promise<Grant[]>): Promise<ImportRowReport> {
    const result = (status: ImportStatus, errors: ImportProblem[] = []): ImportRowReport => ({
      row: row.row,
      email: row.email,
      status,
      errors,
    });
    if (row.errors.length > 0) return result('error', row.errors);
    let grants: Grant[];
    try {
      grants = await resolve();
    } catch (error) {
      if (error instanceof UnknownRoleError)
        return result('error', [{ field: 'roles', code: 'unknown-role', params: { value: error.role } }]);
      if (error instanceof UnknownOfficeError)
        return result('error', [{ field: 'offices', code: 'unknown-office', params: { value: error.office } }]);
      throw error;
    }
    const existing = await this.users.findByEmail(row.email);
    if (row.status === 'disabled') {
      if (!existing) return result('error', [{ field: 'email', code: 'unknown-user' }]);
      if (!dryRun && !existing.blocked) {
        await this.users.update({ id: existing.id }, { blocked: true });
        await this.sessions.revokeAllOf(existing.id);
      }
      return result('disabled');
    }
    if (existing) {
      if (!dryRun) {
        await this.users.update({ id: existing.id }, { displayName: row.name || existing.displayName, blocked: false });
        // A row without roles leaves the user's roles as they are; a row with roles states them all.
        if (grants.length > 0) await this.organisation.replaceGrants(existing.id, grants);
      }
      return result('updated');
    }
    if (!row.name) return result('error', [{ field: 'name', code: 'required' }]);
    if (!dryRun) {
      const user = await this.users.insert({ email: row.email, displayName: row.name, passwordHash: null, mustChangePassword: true });
      await this.organisation.replaceGrants(user.id, grants.length > 0 ? grants : [{ role: 'user', officeId: null }]);
      await this.resets.request(row.email, mail.tenantName, mail.baseUrl, mail.locale);
    }
    return result('created');
  }
}
