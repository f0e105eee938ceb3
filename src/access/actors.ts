import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import type { TenantScopedRepository } from '../db/tenant-scoped.repository.js';
import type { Group, GroupMember } from './group.entity.js';
import type { Membership } from './membership.entity.js';
import { OfficeTree } from './office-tree.js';
import { GroupMemberRepository, GroupRepository, MembershipRepository, OfficeRepository } from './repositories.js';

/**
 * Who a process or a model hands work to. Written as text so BPMN files can carry it
 * (`camunda:candidateGroups="role:operator@Direzione/Protocollo, group:Commissione gare"`):
 *   role:<key>                 everyone holding the role, anywhere
 *   role:<key>@<office path>   everyone holding the role in that office
 *   office:<path>              everyone with any role in that office
 *   office:<path>/*            the same, including the offices below it
 *   group:<name>               the members of the group
 *   user:<e-mail>              one person
 * A bare word is read as a role key, which is what Camunda models usually put there.
 */
export type Actor =
  | { kind: 'role'; role: string; office: string | null }
  | { kind: 'office'; office: string; withSubOffices: boolean }
  | { kind: 'group'; group: string }
  | { kind: 'user'; email: string };

export class ActorSyntaxError extends Error {}

export function parseActor(text: string): Actor {
  const value = text.trim();
  const colon = value.indexOf(':');
  const [kind, rest] = colon < 0 ? ['role', value] : [value.slice(0, colon).trim().toLowerCase(), value.slice(colon + 1).trim()];
  if (!rest) throw new ActorSyntaxError(`"${text}": nothing after "${kind}:"`);
  switch (kind) {
    case 'role': {
      const at = rest.indexOf('@');
      return at < 0
        ? { kind: 'role', role: rest.toLowerCase(), office: null }
        : { kind: 'role', role: rest.slice(0, at).trim().toLowerCase(), office: rest.slice(at + 1).trim() };
    }
    case 'office':
      return rest.endsWith('/*')
        ? { kind: 'office', office: rest.slice(0, -2), withSubOffices: true }
        : { kind: 'office', office: rest, withSubOffices: false };
    case 'group':
      return { kind: 'group', group: rest };
    case 'user':
      return { kind: 'user', email: rest.toLowerCase() };
    default:
      throw new ActorSyntaxError(`"${text}": unknown kind "${kind}" (role, office, group or user)`);
  }
}

/** A comma-separated list, as in camunda:candidateGroups. */
export function parseActors(list: string): Actor[] {
  return list
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map(parseActor);
}

/** Resolves actors to the ids of the users they stand for, in the tenant in context. */
@Injectable()
export class ActorDirectory {
  constructor(
    private readonly memberships: MembershipRepository,
    private readonly groups: GroupRepository,
    private readonly groupMembers: GroupMemberRepository,
    private readonly offices: OfficeRepository,
  ) {}

  /** `manager`: read inside the caller's transaction (and on its connection) instead of the pool. */
  async usersOf(actors: Actor[], findUserByEmail: (email: string) => Promise<string | null>, manager?: EntityManager): Promise<string[]> {
    const repos = {
      memberships: manager ? this.memberships.within(manager) : this.memberships,
      groups: manager ? this.groups.within(manager) : this.groups,
      groupMembers: manager ? this.groupMembers.within(manager) : this.groupMembers,
    };
    const offices = manager ? this.offices.within(manager) : this.offices;
    // Read once, and only for actors that name an office: `role:operator` alone needs no office.
    let loaded: Promise<OfficeTree> | undefined;
    const tree = (): Promise<OfficeTree> => (loaded ??= offices.find().then((rows) => new OfficeTree(rows)));
    const ids = new Set<string>();
    for (const actor of actors) for (const id of await this.resolve(actor, tree, findUserByEmail, repos)) ids.add(id);
    return [...ids].sort();
  }

  private async resolve(
    actor: Actor,
    tree: () => Promise<OfficeTree>,
    findUserByEmail: (email: string) => Promise<string | null>,
    repos: {
      memberships: TenantScopedRepository<Membership>;
      groups: TenantScopedRepository<Group>;
      groupMembers: TenantScopedRepository<GroupMember>;
    },
  ): Promise<string[]> {
    switch (actor.kind) {
      case 'role': {
        if (actor.office === null) return userIds(await repos.memberships.find({ roleKey: actor.role }));
        const office = (await tree()).find(actor.office);
        return office ? userIds(await repos.memberships.find({ roleKey: actor.role, officeId: office.id })) : [];
      }
      case 'office': {
        const offices = await tree();
        const office = offices.find(actor.office);
        if (!office) return [];
        const ids = actor.withSubOffices ? offices.subtree(office.id) : [office.id];
        return userIds(await repos.memberships.find({ officeId: In(ids) }));
      }
      case 'group': {
        const group = await repos.groups.findOne({ name: actor.group });
        return group ? userIds(await repos.groupMembers.find({ groupId: group.id })) : [];
      }
      case 'user': {
        const id = await findUserByEmail(actor.email);
        return id ? [id] : [];
      }
    }
  }
}

function userIds(rows: { userId: string }[]): string[] {
  return [...new Set(rows.map((row) => row.userId))];
}
