import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ProblemException } from '../../api/problem.js';
import { ActivityLog, type ActivityActor } from '../../audit/activity-log.js';
import { TenantContext } from '../../db/tenant-context.js';
import { Tenant } from '../../tenancy/tenant.entity.js';
import type { RoutingRule, WorkspaceRoutingRule } from './routing-rules.js';

/** At most this many rules of the workspace's own, as in the tenant file: each message is tried against all. */
export const MAX_WORKSPACE_RULES = 200;

/**
 * The PEC routing rules a workspace's admins edit (docs/decisions/0033): an ordered list on the
 * tenant's row, tried before the tenant file's. Every change reads and writes the list under the
 * row's lock (two admins at once cannot lose each other's edit) and goes to the activity log with
 * the list before and after, since routing decides who reads legal mail.
 */
@Injectable()
export class WorkspaceRoutingRules {
  constructor(
    private readonly dataSource: DataSource,
    private readonly activity: ActivityLog,
  ) {}

  async list(): Promise<WorkspaceRoutingRule[]> {
    const tenant = await this.dataSource.getRepository(Tenant).findOne({ where: { id: TenantContext.current().tenantId } });
    return tenant?.routingRules ?? [];
  }

  /** One rule of the workspace; a 404 when it has none with this id. */
  async get(id: string): Promise<WorkspaceRoutingRule> {
    const rule = (await this.list()).find((candidate) => candidate.id === id);
    if (!rule) throw new ProblemException(404, 'not-found');
    return rule;
  }

  /** Adds a rule at `position` (1-based; the end when absent). */
  async create(rule: RoutingRule, by: ActivityActor, position?: number): Promise<WorkspaceRoutingRule> {
    const added = { id: randomUUID(), ...rule };
    await this.change(by, 'pec-routing.rule-created', added.id, (rules) => {
      if (rules.length >= MAX_WORKSPACE_RULES)
        throw new ProblemException(422, 'validation', undefined, {
          errors: [{ field: '(body)', message: `at most ${MAX_WORKSPACE_RULES} rules` }],
        });
      return placed(rules, added, position ?? rules.length + 1);
    });
    return added;
  }

  async update(id: string, rule: RoutingRule, by: ActivityActor): Promise<WorkspaceRoutingRule> {
    const updated = { id, ...rule };
    await this.change(by, 'pec-routing.rule-changed', id, (rules) => rules.map((candidate) => (candidate.id === id ? updated : candidate)));
    return updated;
  }

  async remove(id: string, by: ActivityActor): Promise<void> {
    await this.change(by, 'pec-routing.rule-removed', id, (rules) => rules.filter((candidate) => candidate.id !== id));
  }

  /** Moves a rule to `position` (1-based, clamped to the list): its priority among the workspace's rules. */
  async move(id: string, position: number, by: ActivityActor): Promise<WorkspaceRoutingRule[]> {
    return this.change(by, 'pec-routing.rule-moved', id, (rules) =>
      placed(
        rules.filter((candidate) => candidate.id !== id),
        rules.find((candidate) => candidate.id === id)!,
        position,
      ),
    );
  }

  /** One edit of the list under the tenant row's lock; a rule id the list does not hold is a 404 (except the one being created). */
  private async change(
    by: ActivityActor,
    action: string,
    id: string,
    edit: (rules: WorkspaceRoutingRule[]) => WorkspaceRoutingRule[],
  ): Promise<WorkspaceRoutingRule[]> {
    const { before, after } = await this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(Tenant);
      const tenant = await repository.findOne({ where: { id: TenantContext.current().tenantId }, lock: { mode: 'pessimistic_write' } });
      const rules = tenant?.routingRules ?? [];
      if (action !== 'pec-routing.rule-created' && !rules.some((rule) => rule.id === id)) throw new ProblemException(404, 'not-found');
      const next = edit(rules);
      await repository.update({ id: TenantContext.current().tenantId }, { routingRules: next });
      return { before: rules, after: next };
    });
    await this.activity.record({ action, actor: by, resource: { type: 'pec-routing-rule', id }, details: { before, after } });
    return after;
  }
}

/** The list with `rule` inserted at `position` (1-based, clamped). */
function placed(rules: WorkspaceRoutingRule[], rule: WorkspaceRoutingRule, position: number): WorkspaceRoutingRule[] {
  const index = Math.min(Math.max(Math.trunc(position) - 1, 0), rules.length);
  return [...rules.slice(0, index), rule, ...rules.slice(index)];
}
