import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import type { Principal } from '../access/principal.js';
import { GroupMemberRepository, GroupRepository, MembershipRepository, RoleRepository } from '../access/repositories.js';
import { ProblemException } from '../api/problem.js';
import { ActivityLog } from '../audit/activity-log.js';
import { UserRepository } from '../identity/user.repository.js';
import { actorOf } from './user-administration.js';

export interface RoleView {
  key: string;
  name: string;
  builtin: boolean;
  holders: number;
}

export interface GroupView {
  id: string;
  name: string;
  members: string[];
}

/** Roles a workspace adds to the four built-in ones, and groups of people across offices. */
@Injectable()
export class RolesAndGroups {
  constructor(
    private readonly roles: RoleRepository,
    private readonly memberships: MembershipRepository,
    private readonly groups: GroupRepository,
    private readonly groupMembers: GroupMemberRepository,
    private readonly users: UserRepository,
    private readonly activity: ActivityLog,
  ) {}

  async listRoles(): Promise<RoleView[]> {
    const rows = await this.roles.find({}, { order: { builtin: 'DESC', key: 'ASC' } });
    const held = await this.memberships.find();
    return rows.map((r) => ({
      key: r.key,
      name: r.name,
      builtin: r.builtin,
      holders: new Set(held.filter((m) => m.roleKey === r.key).map((m) => m.userId)).size,
    }));
  }

  async createRole(principal: Principal, key: string, name: string): Promise<RoleView> {
    if (await this.roles.findOne({ key })) throw new ProblemException(409, 'conflict', key);
    await this.roles.insert({ key, name: name.trim(), builtin: false });
    await this.activity.record({
      action: 'role.created',
      actor: actorOf(principal),
      resource: { type: 'role', id: key },
      details: { name },
    });
    return { key, name: name.trim(), builtin: false, holders: 0 };
  }

  async listGroups(): Promise<GroupView[]> {
    const groups = await this.groups.find({}, { order: { name: 'ASC' } });
    return Promise.all(groups.map((g) => this.view(g.id, g.name)));
  }

  async getGroup(id: string): Promise<GroupView> {
    const group = /^[0-9a-f-]{36}$/i.test(id) ? await this.groups.findOne({ id }) : null;
    if (!group) throw new ProblemException(404, 'not-found');
    return this.view(group.id, group.name);
  }

  async createGroup(principal: Principal, name: string): Promise<GroupView> {
    if (await this.groups.findOne({ name: name.trim() })) throw new ProblemException(409, 'conflict', name);
    const group = await this.groups.insert({ name: name.trim() });
    await this.activity.record({
      action: 'group.created',
      actor: actorOf(principal),
      resource: { type: 'group', id: group.id },
      details: { name },
    });
    return this.view(group.id, group.name);
  }

  /** Makes the group's members exactly these people (by e-mail); unknown addresses are an error, not skipped. */
  async setMembers(principal: Principal, id: string, emails: string[]): Promise<GroupView> {
    const group = await this.getGroup(id);
    const wanted = [...new Set(emails.map((e) => e.trim().toLowerCase()).filter((e) => e.length > 0))];
    const found = wanted.length > 0 ? await this.users.find({ email: In(wanted) }) : [];
    const unknown = wanted.filter((e) => !found.some((u) => u.email === e));
    if (unknown.length > 0)
      throw new ProblemException(422, 'validation', undefined, {
        errors: unknown.map((e) => ({ field: 'members', message: `unknown user: ${e}` })),
      });
    await this.groupMembers.delete({ groupId: id });
    for (const user of found) await this.groupMembers.insert({ groupId: id, userId: user.id });
    await this.activity.record({
      action: 'group.changed',
      actor: actorOf(principal),
      resource: { type: 'group', id },
      details: { before: group.members, after: wanted.sort() },
    });
    return this.getGroup(id);
  }

  private async view(id: string, name: string): Promise<GroupView> {
    const members = await this.groupMembers.find({ groupId: id });
    const users = members.length > 0 ? await this.users.find({ id: In(members.map((m) => m.userId)) }) : [];
    return { id, name, members: users.map((u) => u.email).sort() };
  }
}
