import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ProblemException } from '../api/problem.js';
import { ActivityLog } from '../audit/activity-log.js';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import { TenantContext, type TenantScope } from '../db/tenant-context.js';
import { TenantScopedRepository } from '../db/tenant-scoped.repository.js';
import { allowedBy, isCidr } from './ip-allowlist.js';
import { WorkspacePolicy, type SecondFactorRule } from './workspace-policy.entity.js';

/** The rules in force for a workspace: its own where it set them, the platform's otherwise. */
export interface EffectivePolicy {
  ipAllowlist: string[];
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  passwordMinLength: number;
  secondFactor: SecondFactorRule;
}

export type PolicyChange = Partial<{
  ipAllowlist: string[];
  sessionIdleMinutes: number | null;
  sessionAbsoluteHours: number | null;
  passwordMinLength: number;
  secondFactor: SecondFactorRule;
}>;

@Injectable()
export class PolicyRepository extends TenantScopedRepository<WorkspacePolicy> {
  constructor(dataSource: DataSource) {
    super(dataSource, WorkspacePolicy);
  }
}

/**
 * Reads and changes the access policies of the workspace in context. The policy is read once per unit
 * of work (the tenant scope an HTTP request or a job runs in): the allow-list check, the session check
 * and the guards of one request share that read, and the next request reads the table again, so a
 * change takes effect at once everywhere.
 */
@Injectable()
export class WorkspacePolicies {
  private readonly read = new WeakMap<TenantScope, Promise<EffectivePolicy>>();

  constructor(
    private readonly policies: PolicyRepository,
    private readonly activity: ActivityLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  current(): Promise<EffectivePolicy> {
    const scope = TenantContext.current();
    let policy = this.read.get(scope);
    if (!policy) {
      policy = this.load();
      this.read.set(scope, policy);
      // A failed read is not remembered: the next call in the same unit of work tries again.
      policy.catch(() => this.read.delete(scope));
    }
    return policy;
  }

  private async load(): Promise<EffectivePolicy> {
    const row = await this.policies.findOne({});
    return {
      ipAllowlist: row?.ipAllowlist ?? [],
      sessionIdleMinutes: row?.sessionIdleMinutes ?? this.config.SESSION_IDLE_MINUTES,
      sessionAbsoluteHours: row?.sessionAbsoluteHours ?? this.config.SESSION_ABSOLUTE_HOURS,
      passwordMinLength: row?.passwordMinLength ?? 12,
      secondFactor: row?.secondFactor ?? 'optional',
    };
  }

  /**
   * Applies a change. An allow-list that would shut out the admin making it is refused: the only
   * way back in would otherwise be the database.
   */
  async update(change: PolicyChange, by: { id: string; email: string }, clientAddress: string): Promise<EffectivePolicy> {
    const ranges = change.ipAllowlist?.map((r) => r.trim()).filter((r) => r.length > 0);
    const bad = ranges?.filter((r) => !isCidr(r)) ?? [];
    if (bad.length > 0)
      throw new ProblemException(422, 'validation', undefined, {
        errors: bad.map((r) => ({ field: 'ipAllowlist', message: `not an address or CIDR range: ${r}` })),
      });
    if (ranges && !allowedBy(ranges, clientAddress)) {
      throw new ProblemException(422, 'validation', undefined, {
        errors: [{ field: 'ipAllowlist', message: `it would lock out your own address ${clientAddress}` }],
      });
    }
    const before = await this.load();
    const values = { ...change, ...(ranges ? { ipAllowlist: ranges } : {}) };
    if (await this.policies.findOne({})) await this.policies.update({}, values);
    else await this.policies.insert(values);
    const after = await this.load();
    // The rest of this request (e.g. the page showing what was saved) sees the new policy too.
    this.read.set(TenantContext.current(), Promise.resolve(after));
    await this.activity.record({
      action: 'policy.changed',
      actor: by,
      resource: { type: 'workspace-policy', id: 'access' },
      details: { before, after },
      ip: clientAddress,
    });
    return after;
  }
}
