import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { AccessPolicy, Reach } from './access-policy.js';
import type { OfficeTreeLoader } from './office-tree.js';
import type { Principal } from './principal.js';
import { registerResource, Visibility } from './visibility.js';

registerResource('spec-owned', { owner: (alias) => `${alias}.owner_id`, inOffices: (alias) => `${alias}.office_id = ANY(:reachOffices)` });
registerResource('spec-shared', {
  owner: (alias) => `${alias}.assignee`,
  ownedBy: (alias) => `(${alias}.assignee = :reachUser OR :reachUser = ANY(${alias}.candidates))`,
  inOffices: () => 'false',
});

const principal: Principal = { userId: 'u1', email: 'u1@x.test', grants: [], roles: [] };

/** What restrict adds to a query, with a policy answering `reach` whatever is asked. */
async function conditionFor(type: string, reach: Reach): Promise<{ where: string | null; params: ObjectLiteral | undefined }> {
  const policy = { reach: () => Promise.resolve(reach) } as unknown as AccessPolicy;
  const trees = { load: () => Promise.resolve(null) } as unknown as OfficeTreeLoader;
  const seen: { where: string | null; params: ObjectLiteral | undefined } = { where: null, params: undefined };
  const query = {
    andWhere(where: string, params?: ObjectLiteral) {
      seen.where = where;
      seen.params = params;
      return query;
    },
  } as unknown as SelectQueryBuilder<ObjectLiteral>;
  await new Visibility(policy, trees).restrict(query, 'r', type, 'see', principal);
  return seen;
}

describe('Visibility.restrict', () => {
  it('compares the owner column with the user for an own scope', async () => {
    expect(await conditionFor('spec-owned', { all: false, own: true, offices: new Set() })).toEqual({
      where: '(r.owner_id = :reachUser)',
      params: { reachUser: 'u1', reachOffices: [] },
    });
  });

  it('uses ownedBy instead when a row can be owned in several ways', async () => {
    const { where } = await conditionFor('spec-shared', { all: false, own: true, offices: new Set() });
    expect(where).toBe('((r.assignee = :reachUser OR :reachUser = ANY(r.candidates)))');
  });

  it('adds nothing for an all scope and refuses everything for an empty reach', async () => {
    expect((await conditionFor('spec-shared', { all: true, own: false, offices: new Set() })).where).toBeNull();
    expect((await conditionFor('spec-shared', { all: false, own: false, offices: new Set() })).where).toBe('false');
  });
});
