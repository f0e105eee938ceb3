import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config/load-config.js';
import { AccessPolicy, PolicyFileError } from './access-policy.js';
import type { Office } from './office.entity.js';
import { OfficeTree } from './office-tree.js';
import type { Principal } from './principal.js';

function modelsWith(yaml: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pecflow-models-'));
  mkdirSync(path.join(dir, 'test'));
  writeFileSync(path.join(dir, 'test', 'solution.yaml'), yaml);
  return dir;
}

const office = (id: string, parentId: string | null): Office => ({
  id,
  parentId,
  name: id,
  tenantId: 't',
  createdAt: new Date(),
  updatedAt: new Date(),
});
// Direzione ─┬─ Protocollo ── Archivio
//            └─ Ragioneria
const offices = new OfficeTree([office('dir', null), office('prot', 'dir'), office('arch', 'prot'), office('rag', 'dir')]);
const tree = (): Promise<OfficeTree> => Promise.resolve(offices);
const who = (...grants: [string, string | null][]): Principal => ({
  userId: 'u',
  email: 'u@x.test',
  grants: grants.map(([role, officeId]) => ({ role, officeId })),
  roles: grants.map(([role]) => role),
});

describe('AccessPolicy', () => {
  const policy = new AccessPolicy(
    loadConfig({
      MODELS_DIR: modelsWith(`
name: Test
resources:
  message:
    see: { admin: all, manager: office-and-sub-offices, operator: office, user: own }
    act: { operator: office }
`),
    }),
  );

  it('gives each scope its reach: all, the office, the office and everything below, or own only', async () => {
    expect((await policy.reach(who(['admin', null]), 'message', 'see', tree)).all).toBe(true);
    expect([...(await policy.reach(who(['manager', 'prot']), 'message', 'see', tree)).offices].sort()).toEqual(['arch', 'prot']);
    expect([...(await policy.reach(who(['manager', 'dir']), 'message', 'see', tree)).offices].sort()).toEqual([
      'arch',
      'dir',
      'prot',
      'rag',
    ]);
    const operator = await policy.reach(who(['operator', 'rag']), 'message', 'see', tree);
    expect([...operator.offices]).toEqual(['rag']);
    expect(operator.all).toBe(false);
    expect(await policy.reach(who(['user', null]), 'message', 'see', tree)).toEqual({ all: false, own: true, offices: new Set() });
  });

  it('ties a role to the office where it is held, and denies actions no rule grants', async () => {
    const mixed = await policy.reach(who(['operator', 'rag'], ['user', 'prot']), 'message', 'act', tree);
    expect([...mixed.offices]).toEqual(['rag']);
    expect(await policy.reach(who(['manager', 'dir']), 'message', 'act', tree)).toEqual({ all: false, own: false, offices: new Set() });
    expect(await policy.reach(who(['operator', null]), 'message', 'see', tree)).toEqual({ all: false, own: true, offices: new Set() });
  });

  it('refuses an undeclared resource type and a malformed solution file by name', async () => {
    await expect(policy.reach(who(['admin', null]), 'campaign', 'see', tree)).rejects.toThrow(/campaign/);
    const broken = new AccessPolicy(
      loadConfig({ MODELS_DIR: modelsWith('name: X\nresources:\n  message:\n    see: { admin: everywhere }\n') }),
    );
    await expect(broken.validate()).rejects.toThrow(PolicyFileError);
    await expect(broken.validate()).rejects.toThrow(/solution\.yaml: resources\.message\.see\.admin/);
  });
});
