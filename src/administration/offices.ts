import { Injectable } from '@nestjs/common';
import type { OfficeTree } from '../access/office-tree.js';
import { OrganisationService } from '../access/organisation.service.js';
import type { Principal } from '../access/principal.js';
import { MembershipRepository, OfficeRepository } from '../access/repositories.js';
import { ProblemException } from '../api/problem.js';
import { ActivityLog } from '../audit/activity-log.js';
import { actorOf } from './user-administration.js';

export interface OfficeView {
  id: string;
  name: string;
  path: string;
  parentId: string | null;
  depth: number;
}

/** The office tree as admins manage it: list, create (under a parent), rename, and remove when empty. */
@Injectable()
export class OfficeAdministration {
  constructor(
    private readonly organisation: OrganisationService,
    private readonly offices: OfficeRepository,
    private readonly memberships: MembershipRepository,
    private readonly activity: ActivityLog,
  ) {}

  async list(): Promise<OfficeView[]> {
    return toViews(await this.organisation.tree());
  }

  /** The ids of offices that can be removed now (no sub-offices, nobody in them). */
  async removable(): Promise<Set<string>> {
    const tree = await this.organisation.tree();
    const used = new Set((await this.memberships.find()).map((m) => m.officeId));
    return new Set(tree.offices.filter((o) => !used.has(o.id) && !officeInUse(tree, o.id, 0)).map((o) => o.id));
  }

  async create(principal: Principal, name: string, parentId: string | null): Promise<OfficeView> {
    const tree = await this.organisation.tree();
    if (parentId && !tree.get(parentId))
      throw new ProblemException(422, 'validation', undefined, { errors: [{ field: 'parentId', message: 'unknown office' }] });
    const clean = name.trim();
    const siblings = tree.ordered().filter((o) => o.office.parentId === parentId);
    if (siblings.some((o) => o.office.name.toLowerCase() === clean.toLowerCase())) throw new ProblemException(409, 'conflict', clean);
    const office = await this.offices.insert({ name: clean, parentId });
    await this.activity.record({
      action: 'office.created',
      actor: actorOf(principal),
      resource: { type: 'office', id: office.id },
      details: { name: clean, parentId },
    });
    return (await this.list()).find((o) => o.id === office.id)!;
  }

  async rename(principal: Principal, id: string, name: string): Promise<OfficeView> {
    const tree = await this.organisation.tree();
    const office = tree.get(id);
    if (!office) throw new ProblemException(404, 'not-found');
    const clean = name.trim();
    await this.offices.update({ id }, { name: clean });
    await this.activity.record({
      action: 'office.renamed',
      actor: actorOf(principal),
      resource: { type: 'office', id },
      details: { from: office.name, to: clean },
    });
    return (await this.list()).find((o) => o.id === id)!;
  }
  /** Removes an office nobody works in and with no offices below it; anything else is a 409, nothing is lost. */
  async remove(principal: Principal, id: string): Promise<void> {
    const tree = await this.organisation.tree();
    const office = tree.get(id);
    if (!office) throw new ProblemException(404, 'not-found');
    if (officeInUse(tree, id, await this.memberships.count({ officeId: id }))) throw new ProblemException(409, 'conflict', office.name);
    await this.offices.delete({ id });
    await this.activity.record({
      action: 'office.removed',
      actor: actorOf(principal),
      resource: { type: 'office', id },
      details: { name: office.name, path: tree.path(id) },
    });
  }
}

export function officeInUse(tree: OfficeTree, id: string, members: number): boolean {
  return tree.subtree(id).length > 1 || members > 0;
}

function toViews(tree: OfficeTree): OfficeView[] {
  return tree.ordered().map(({ office, depth, path }) => ({ id: office.id, name: office.name, path, parentId: office.parentId, depth }));
}
