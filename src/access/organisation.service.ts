import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import type { Grant } from './principal.js';
import { OfficeTree, OfficeTreeLoader, splitPath } from './office-tree.js';
import { MembershipRepository, OfficeRepository, RoleRepository } from './repositories.js';
import { BUILTIN_ROLES } from './role.entity.js';

/** A role in an office named by its path ("Direzione/Protocollo"), or tenant-wide (office null). */
export interface NamedGrant {
  role: string;
  office: string | null;
}

export class UnknownRoleError extends Error {
  constructor(readonly role: string) {
    super(`unknown role "${role}"`);
  }
}

export class UnknownOfficeError extends Error {
  constructor(readonly office: string) {
    super(`unknown office "${office}"`);
  }
}

/** Offices, roles and who holds which role where, for the tenant in context. */
@Injectable()
export class OrganisationService {
  constructor(
    private readonly offices: OfficeRepository,
    private readonly roles: RoleRepository,
    private readonly memberships: MembershipRepository,
    private readonly trees: OfficeTreeLoader,
  ) {}

  /** Every workspace has the four basic roles; run at tenant sync. */
  async ensureBuiltinRoles(): Promise<void> {
    const existing = new Set((await this.roles.find()).map((role) => role.key));
    for (const key of BUILTIN_ROLES) if (!existing.has(key)) await this.roles.insert({ key, name: key, builtin: true });
  }

  async roleKeys(): Promise<Set<string>> {
    return new Set((await this.roles.find()).map((role) => role.key));
  }

  tree(): Promise<OfficeTree> {
    return this.trees.load();
  }

  /** Creates the offices of a path that are missing ("Direzione/Protocollo" creates both if needed). */
  async ensureOfficePath(path: string): Promise<string> {
    let parentId: string | null = null;
    let tree = await this.trees.load();
    const names = splitPath(path);
    if (names.length === 0) throw new UnknownOfficeError(path);
    for (let depth = 1; depth <= names.length; depth += 1) {
      const found = tree.find(names.slice(0, depth).join('/'));
      if (found) {
        parentId = found.id;
        continue;
      }
      const created = await this.offices.insert({ name: names[depth - 1]!, parentId });
      parentId = created.id;
      tree = await this.trees.load();
    }
    return parentId!;
  }

  grantsOf(userId: string): Promise<Grant[]> {
    return this.memberships.find({ userId }).then((rows) => rows.map((m) => ({ role: m.roleKey, officeId: m.officeId })));
  }

  /** Resolves role keys and office paths; unknown ones are errors, never silently dropped. */
  async resolve(grants: NamedGrant[], tree?: OfficeTree): Promise<Grant[]> {
    const roles = await this.roleKeys();
    const offices = tree ?? (await this.trees.load());
    return grants.map(({ role, office }) => {
      if (!roles.has(role)) throw new UnknownRoleError(role);
      if (office === null) return { role, officeId: null };
      const found = offices.find(office);
      if (!found) throw new UnknownOfficeError(office);
      return { role, officeId: found.id };
    });
  }

  /** Makes the user's memberships exactly `grants` (adds the missing, removes the rest). */
  async replaceGrants(userId: string, grants: Grant[]): Promise<{ added: Grant[]; removed: Grant[] }> {
    const current = await this.memberships.find({ userId });
    const key = (g: Grant): string => `${g.role}|${g.officeId ?? ''}`;
    const wanted = new Map(grants.map((g) => [key(g), g]));
    const removed = current.filter((m) => !wanted.has(key({ role: m.roleKey, officeId: m.officeId })));
    const have = new Set(current.map((m) => key({ role: m.roleKey, officeId: m.officeId })));
    const added = [...wanted.values()].filter((g) => !have.has(key(g)));
    if (removed.length > 0) await this.memberships.delete({ id: In(removed.map((m) => m.id)) });
    for (const grant of added) await this.memberships.insert({ userId, roleKey: grant.role, officeId: grant.officeId });
    return { added, removed: removed.map((m) => ({ role: m.roleKey, officeId: m.officeId })) };
  }

  /** Users holding any role in one of these offices. */
  async membersOf(officeIds: string[]): Promise<string[]> {
    if (officeIds.length === 0) return [];
    const rows = await this.memberships.find({ officeId: In(officeIds) });
    return [...new Set(rows.map((m) => m.userId))];
  }
}
