import { Inject, Injectable } from '@nestjs/common';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import type { OfficeTree } from './office-tree.js';
import type { Principal } from './principal.js';

export const ACTIONS = ['see', 'act', 'administer'] as const;
export type Action = (typeof ACTIONS)[number];
export const SCOPES = ['own', 'office', 'office-and-sub-offices', 'all'] as const;
export type Scope = (typeof SCOPES)[number];

const ruleSchema = z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), z.enum(SCOPES));
const solutionSchema = z.object({
  name: z.string(),
  // `<solution>.<entity>` names the records of a model entity (src/solutions).
  resources: z.record(z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)?$/), z.partialRecord(z.enum(ACTIONS), ruleSchema)).default({}),
});

/** How far a principal reaches for one action on one resource type. Empty: nothing at all. */
export interface Reach {
  all: boolean;
  own: boolean;
  offices: Set<string>;
}

export function reachesNothing(reach: Reach): boolean {
  return !reach.all && !reach.own && reach.offices.size === 0;
}

export class PolicyFileError extends Error {}

/**
 * The permissions declared in models/<solution>/solution.yaml: for each resource type and action,
 * which roles may and with what scope. A role held in an office reaches that office (and its
 * sub-offices, by the rule's scope); a role held tenant-wide reaches no office, only own or all.
 */
@Injectable()
export class AccessPolicy {
  private rules?: Promise<Map<string, Partial<Record<Action, Record<string, Scope>>>>>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private load(): Promise<Map<string, Partial<Record<Action, Record<string, Scope>>>>> {
    this.rules ??= (async () => {
      const root = path.resolve(this.config.MODELS_DIR);
      const merged = new Map<string, Partial<Record<Action, Record<string, Scope>>>>();
      for (const solution of (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name)) {
        const file = path.join(root, solution, 'solution.yaml');
        const raw: unknown = parse(await readFile(file, 'utf8').catch(() => 'name: ""'));
        const parsed = solutionSchema.safeParse(raw);
        if (!parsed.success)
          throw new PolicyFileError(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
        for (const [type, rules] of Object.entries(parsed.data.resources)) {
          if (merged.has(type)) throw new PolicyFileError(`${file}: resource "${type}" is already declared by another solution`);
          merged.set(type, rules);
        }
      }
      return merged;
    })();
    return this.rules;
  }

  /** Fails at start-up, not at the first request, when a solution's rules are malformed. */
  async validate(): Promise<number> {
    return (await this.load()).size;
  }

  /** `tree` is asked for only when a rule reaches sub-offices: most checks need no read of the offices. */
  async reach(principal: Principal, type: string, action: Action, tree: () => Promise<OfficeTree>): Promise<Reach> {
    const rules = (await this.load()).get(type);
    if (!rules) throw new PolicyFileError(`resource type "${type}" is not declared in any models/*/solution.yaml`);
    const byRole = rules[action] ?? {};
    const reach: Reach = { all: false, own: false, offices: new Set() };
    for (const grant of principal.grants) {
      const scope = byRole[grant.role];
      switch (scope) {
        case undefined:
          break;
        case 'all':
          reach.all = true;
          break;
        case 'own':
          reach.own = true;
          break;
        case 'office':
          if (grant.officeId) reach.offices.add(grant.officeId);
          reach.own = true;
          break;
        case 'office-and-sub-offices':
          if (grant.officeId) for (const id of (await tree()).subtree(grant.officeId)) reach.offices.add(id);
          reach.own = true;
          break;
      }
    }
    return reach;
  }
}
