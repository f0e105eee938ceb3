import { DataSource } from 'typeorm';
import { ActorDirectory, parseActors } from '../../src/access/actors.js';
import { TenantContext } from '../../src/db/tenant-context.js';
import { UserRepository } from '../../src/identity/user.repository.js';
import { Tenant } from '../../src/tenancy/tenant.entity.js';
import { ApiClient } from '../support/api-client.js';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';

describe('roles, groups and actors', () => {
  let t: TestApp;
  let admin: ApiClient;
  const tag = Date.now().toString(36);

  beforeAll(async () => {
    t = await startTestApp();
    const person = await createUser(t.app, 'demo', { roles: ['admin'] });
    admin = await ApiClient.signIn(t.app.getHttpServer(), 'demo.localhost', person.email, person.password);
  });
  afterAll(async () => {
    await t.close();
  });

  /** Resolves actors inside a workspace, the way processes will. */
  async function usersOf(slug: string, actors: string): Promise<string[]> {
    const tenant = await t.app.get(DataSource).getRepository(Tenant).findOneByOrFail({ slug });
    return TenantContext.run({ tenantId: tenant.id, slug }, () =>
      t.app
        .get(ActorDirectory)
        .usersOf(parseActors(actors), async (email) => (await t.app.get(UserRepository).findByEmail(email))?.id ?? null),
    );
  }

  it('adds roles of the workspace’s own, refusing a duplicate or a malformed key', async () => {
    const created = await admin.post('/api/v1/admin/roles', { key: `protocollista-${tag}`, name: 'Protocollista' });
    expect(created.status).toBe(201);
    expect((await admin.post('/api/v1/admin/roles', { key: `protocollista-${tag}`, name: 'Ancora' })).status).toBe(409);
    expect((await admin.post('/api/v1/admin/roles', { key: 'Con Spazi', name: 'X' })).status).toBe(400);
    const roles = (await admin.get('/api/v1/admin/roles')).body as { roles: { key: string; builtin: boolean }[] };
    expect(
      roles.roles
        .filter((r) => r.builtin)
        .map((r) => r.key)
        .sort(),
    ).toEqual(['admin', 'manager', 'operator', 'user']);
    const holder = await createUser(t.app, 'demo', { grants: [{ role: `protocollista-${tag}`, office: `Protocollo ${tag}` }] });
    expect(await usersOf('demo', `role:protocollista-${tag}@Protocollo ${tag}`)).toEqual([holder.id]);
  });

  it('keeps groups with their members, and refuses unknown addresses', async () => {
    const a = await createUser(t.app, 'demo');
    const b = await createUser(t.app, 'demo');
    const group = (await admin.post('/api/v1/admin/groups', { name: `Commissione ${tag}` })).body as { id: string };
    const refused = await admin.put(`/api/v1/admin/groups/${group.id}/members`, { members: [a.email, 'nessuno@demo.test'] });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toContain('nessuno@demo.test');
    const set = await admin.put(`/api/v1/admin/groups/${group.id}/members`, { members: [a.email.toUpperCase(), b.email] });
    expect(set.body).toMatchObject({ members: [a.email, b.email].sort() });
    expect(await usersOf('demo', `group:Commissione ${tag}`)).toEqual([a.id, b.id].sort());
    // the same group name in another workspace stands for nobody here
    expect(await usersOf('acme', `group:Commissione ${tag}`)).toEqual([]);
  });

  it('resolves offices with and without their sub-offices, roles anywhere, and single people', async () => {
    const top = await createUser(t.app, 'demo', { grants: [{ role: 'manager', office: `Sede ${tag}` }] });
    const below = await createUser(t.app, 'demo', { grants: [{ role: 'operator', office: `Sede ${tag}/Sportello` }] });
    expect(await usersOf('demo', `office:Sede ${tag}`)).toEqual([top.id]);
    expect(await usersOf('demo', `office:Sede ${tag}/*`)).toEqual([top.id, below.id].sort());
    expect(await usersOf('demo', `role:operator@Sede ${tag}/Sportello, user:${top.email}`)).toEqual([top.id, below.id].sort());
    expect(await usersOf('demo', `office:Nessun Ufficio ${tag}`)).toEqual([]);
  });

  it('lets only admins change roles and groups', async () => {
    const manager = await createUser(t.app, 'demo', { grants: [{ role: 'manager', office: `Sede ${tag}` }] });
    const asManager = await ApiClient.signIn(t.app.getHttpServer(), 'demo.localhost', manager.email, manager.password);
    expect((await asManager.get('/api/v1/admin/groups')).status).toBe(200);
    expect((await asManager.post('/api/v1/admin/groups', { name: 'Mia' })).status).toBe(403);
    expect((await asManager.post('/api/v1/admin/roles', { key: 'mio', name: 'Mio' })).status).toBe(403);
  });
});
