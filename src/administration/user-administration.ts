import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { OrganisationService, UnknownOfficeError, UnknownRoleError, type NamedGrant } from '../access/organisation.service.js';
import type { Principal } from '../access/principal.js';
import { MembershipRepository } from '../access/repositories.js';
import { Visibility } from '../access/visibility.js';
import type { Action } from '../access/access-policy.js';
import { ProblemException } from '../api/problem.js';
import { ActivityLog } from '../audit/activity-log.js';
import { PasswordResetService } from '../identity/password-reset.service.js';
import { SessionService } from '../identity/session.service.js';
import type { User } from '../identity/user.entity.js';
import { UserRepository } from '../identity/user.repository.js';
import type { Locale } from '../i18n/locale.js';
import { toUserView, type UserView } from './user-view.js';

export interface UserFilter {
  q?: string;
  status?: 'active' | 'blocked';
}

export interface NewUser {
  email: string;
  displayName: string;
  grants: NamedGrant[];
}

export interface UserChange {
  displayName?: string;
  grants?: NamedGrant[];
  blocked?: boolean;
}

/** Where links in mails should point: the workspace's own address, and the language to write in. */
export interface MailContext {
  tenantName: string;
  baseUrl: string;
  locale: Locale;
}

/**
 * Tenant admins' work on people: list, create, edit, block, reset password, force sign-out. Every
 * read goes through Visibility (what is not visible is a 404) and every write needs `administer`
 * on that user (403), and lands in the activity log.
 */
@Injectable()
export class UserAdministration {
  constructor(
    private readonly users: UserRepository,
    private readonly memberships: MembershipRepository,
    private readonly organisation: OrganisationService,
    private readonly visibility: Visibility,
    private readonly sessions: SessionService,
    private readonly resets: PasswordResetService,
    private readonly activity: ActivityLog,
  ) {}

  async list(principal: Principal, filter: UserFilter = {}): Promise<UserView[]> {
    let query = this.users.query('u').orderBy('u.email', 'ASC');
    if (filter.q)
      query = query.andWhere('(u.email ILIKE :q OR u.display_name ILIKE :q)', { q: `%${filter.q.replace(/[%_\\]/g, '\\$&')}%` });
    if (filter.status) query = query.andWhere('u.blocked = :blocked', { blocked: filter.status === 'blocked' });
    const users = await (await this.visibility.restrict(query, 'u', 'user', 'see', principal)).getMany();
    return this.views(users);
  }

  async get(principal: Principal, id: string): Promise<UserView> {
    const [view] = await this.views([await this.find(principal, id, 'see')]);
    return view!;
  }

  async create(principal: Principal, input: NewUser, mail: MailContext): Promise<UserView> {
    const grants = await this.resolveGrants(input.grants);
    const email = input.email.trim().toLowerCase();
    if (await this.users.findByEmail(email)) throw new ProblemException(409, 'conflict', email);
    const user = await this.users.insert({ email, displayName: input.displayName.trim(), passwordHash: null, mustChangePassword: true });
    await this.organisation.replaceGrants(user.id, grants);
    await this.activity.record({
      action: 'user.created',
      actor: actorOf(principal),
      resource: { type: 'user', id: user.id },
      details: { email, grants: input.grants },
    });
    // The new person chooses their own password through the link; nobody else ever knows it.
    await this.resets.request(email, mail.tenantName, mail.baseUrl, mail.locale);
    return this.get(principal, user.id);
  }

  async update(principal: Principal, id: string, change: UserChange): Promise<UserView> {
    const user = await this.find(principal, id, 'administer');
    if (change.displayName !== undefined && change.displayName.trim() !== user.displayName) {
      await this.users.update({ id }, { displayName: change.displayName.trim() });
      await this.activity.record({
        action: 'user.updated',
        actor: actorOf(principal),
        resource: { type: 'user', id },
        details: { displayName: change.displayName.trim() },
      });
    }
    if (change.grants) {
      const { added, removed } = await this.organisation.replaceGrants(id, await this.resolveGrants(change.grants));
      if (added.length + removed.length > 0) {
        await this.activity.record({
          action: 'membership.changed',
          actor: actorOf(principal),
          resource: { type: 'user', id },
          details: { added, removed },
        });
      }
    }
    if (change.blocked !== undefined && change.blocked !== user.blocked) {
      if (change.blocked && id === principal.userId) throw new ProblemException(409, 'conflict', 'self-block');
      await this.users.update({ id }, { blocked: change.blocked });
      if (change.blocked) await this.sessions.revokeAllOf(id);
      await this.activity.record({
        action: change.blocked ? 'user.blocked' : 'user.unblocked',
        actor: actorOf(principal),
        resource: { type: 'user', id },
      });
    }
    return this.get(principal, id);
  }

  async sendPasswordReset(principal: Principal, id: string, mail: MailContext): Promise<void> {
    const user = await this.find(principal, id, 'administer');
    await this.resets.request(user.email, mail.tenantName, mail.baseUrl, mail.locale);
    await this.activity.record({ action: 'user.password-reset-sent', actor: actorOf(principal), resource: { type: 'user', id } });
  }

  async signOutEverywhere(principal: Principal, id: string): Promise<void> {
    await this.find(principal, id, 'administer');
    await this.sessions.revokeAllOf(id);
    await this.activity.record({ action: 'user.signed-out', actor: actorOf(principal), resource: { type: 'user', id } });
  }

  /** The user when visible (404 otherwise) and, for actions beyond seeing, when the action reaches them (403 otherwise). */
  private async find(principal: Principal, id: string, action: Action): Promise<User> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new ProblemException(404, 'not-found');
    const byId = () => this.users.query('u').andWhere('u.id = :id', { id });
    const seen = await (await this.visibility.restrict(byId(), 'u', 'user', 'see', principal)).getOne();
    if (!seen) throw new ProblemException(404, 'not-found');
    if (action !== 'see' && !(await (await this.visibility.restrict(byId(), 'u', 'user', action, principal)).getOne())) {
      throw new ProblemException(403, 'forbidden');
    }
    return seen;
  }

  private async resolveGrants(grants: NamedGrant[]) {
    try {
      return await this.organisation.resolve(grants);
    } catch (error) {
      if (error instanceof UnknownRoleError)
        throw new ProblemException(422, 'validation', undefined, { errors: [{ field: 'grants', message: `unknown role: ${error.role}` }] });
      if (error instanceof UnknownOfficeError)
        throw new ProblemException(422, 'validation', undefined, {
          errors: [{ field: 'grants', message: `unknown office: ${error.office}` }],
        });
      throw error;
    }
  }

  private async views(users: User[]): Promise<UserView[]> {
    if (users.length === 0) return [];
    const tree = await this.organisation.tree();
    const rows = await this.memberships.find({ userId: In(users.map((u) => u.id)) });
    return users.map((user) =>
      toUserView(
        user,
        rows.filter((m) => m.userId === user.id).map((m) => ({ role: m.roleKey, officeId: m.officeId })),
        tree,
      ),
    );
  }
}

export function actorOf(principal: Principal): { id: string; email: string } {
  return { id: principal.userId, email: principal.email };
}
