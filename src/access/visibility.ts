import { Injectable } from '@nestjs/common';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { AccessPolicy, reachesNothing, type Action, type Reach } from './access-policy.js';
import { OfficeTreeLoader, type OfficeTree } from './office-tree.js';
import type { Principal } from './principal.js';

/** How rows of a resource type relate to people and offices, as SQL on the query's alias. */
export interface ResourceColumns {
  /** The column holding the id of the user who owns the row. */
  owner: (alias: string) => string;
  /**
   * For rows a user can own in several ways (a task's assignee or one of its candidates): a condition
   * true when the row belongs to `:reachUser`. Replaces `owner = :reachUser` when given.
   */
  ownedBy?: (alias: string) => string;
  /** A condition true when the row belongs to one of the offices in `:reachOffices` (a uuid[] parameter). */
  inOffices: (alias: string) => string;
}

const registry = new Map<string, ResourceColumns>();

/** A module plugs its resource type into access control with this call plus its rules in models/. */
export function registerResource(type: string, columns: ResourceColumns): void {
  if (registry.has(type)) throw new Error(`resource type "${type}" is registered twice`);
  registry.set(type, columns);
}

/**
 * The one enforcement mechanism: every list and lookup of a protected resource goes through
 * `restrict`, so what the principal may not see is simply not there (404 for one, absent from lists),
 * and `require` answers whether an action is allowed at all (403 when not).
 */
@Injectable()
export class Visibility {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly trees: OfficeTreeLoader,
  ) {}

  async reach(principal: Principal, type: string, action: Action): Promise<Reach> {
    let tree: Promise<OfficeTree> | undefined;
    return this.policy.reach(principal, type, action, () => (tree ??= this.trees.load()));
  }

  /** Whether the principal may perform the action on at least some resources of the type. */
  async allows(principal: Principal, type: string, action: Action): Promise<boolean> {
    return !reachesNothing(await this.reach(principal, type, action));
  }

  /** Adds the principal's reach to a query already scoped to the tenant. */
  async restrict<T extends ObjectLiteral>(
    query: SelectQueryBuilder<T>,
    alias: string,
    type: string,
    action: Action,
    principal: Principal,
  ): Promise<SelectQueryBuilder<T>> {
    const columns = registry.get(type);
    if (!columns) throw new Error(`resource type "${type}" has no registered columns`);
    const reach = await this.reach(principal, type, action);
    if (reach.all) return query;
    const conditions: string[] = [];
    if (reach.own) conditions.push(columns.ownedBy ? columns.ownedBy(alias) : `${columns.owner(alias)} = :reachUser`);
    if (reach.offices.size > 0) conditions.push(columns.inOffices(alias));
    if (conditions.length === 0) return query.andWhere('false');
    return query.andWhere(`(${conditions.join(' OR ')})`, { reachUser: principal.userId, reachOffices: [...reach.offices] });
  }
}
