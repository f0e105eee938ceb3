import { ApiClient } from '../support/api-client.js';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';

interface UserBody {
  id: string;
  email: string;
  status: string;
  grants: { role: string; office: string | null }[];
}

describe('administration API: users, offices, visibility and tenant isolation', () => {
  let t: TestApp;
  let admin: ApiClient;
  let acmeAdmin: ApiClient;
  const tag = Date.now().toString(36);
  const office = (name: string) => `Sede ${tag}/${name}`;

  beforeAll(async () => {
    t = await startTestApp();
    const demoAdmin = await createUser(t.app, 'demo', { roles: ['admin'] });
    admin = await ApiClient.signIn(t.app.getHttpServer(), 'demo.localhost', demoAdmin.email, demoAdmin.password);
    const acme = await createUser(t.app, 'acme', { roles: ['admin'] });
    acmeAdmin = await ApiClient.signIn(t.app.getHttpServer(), 'acme.localhost', acme.email, acme.password);
  });
  afterAll(async () => {
    await t.close();
  });

  it('lets only admins list users, and lists only their own workspace', async () => {
    const list = await admin.get('/api/v1/admin/users');
    expect(list.status).toBe(200);
    const emails = (list.body as { users: UserBody[] }).users.map((u) => u.email);
    expect(emails.every((e) => !e.endsWith('@acme.test'))).toBe(true);
    const acmeList = (await acmeAdmin.get('/api/v1/admin/users')).body as { users: UserBody[] };
    expect(acmeList.users.some((u) => emails.includes(u.email) && !u.email.includes('shared'))).toBe(false);

    const operator = await createUser(t.app, 'demo', { grants: [{ role: 'operator', office: office('Protocollo') }] });
    const asOperator = await ApiClient.signIn(t.app.getHttpServer(), 'demo.localhost', operator.email, operator.password);
    expect((await asOperator.get('/api/v1/admin/users')).status).toBe(403);
    expect((await new ApiClient(t.app.getHttpServer(), 'demo.localhost').get('/api/v1/admin/users')).status).toBe(401);
  });

  it('creates a user with roles in offices, refuses duplicates and unknown roles or offices', async () => {
    await admin.post('/api/v1/admin/offices', { name: `Filiale ${tag}` }).expect(201);
    const sede = ((await admin.get('/api/v1/admin/offices')).body as { offices: { id: string; path: string }[] }).offices.find(
      (o) => o.path === `Filiale ${tag}`,
    )!;
    await admin.post('/api/v1/admin/offices', { name: 'Ragioneria', parentId: sede.id }).expect(201);
    expect((await admin.post('/api/v1/admin/offices', { name: 'Ragioneria', parentId: sede.id })).status).toBe(409);
    expect((await admin.post('/api/v1/admin/offices', { name: 'con/barra' })).status).toBe(400);
    // An office with sub-offices is not removed; an empty one is.
    expect((await admin.delete(`/api/v1/admin/offices/${sede.id}`)).status).toBe(409);
    const spare = (await admin.post('/api/v1/admin/offices', { name: 'Da togliere', parentId: sede.id })).body as { id: string };
    expect((await admin.delete(`/api/v1/admin/offices/${spare.id}`)).status).toBe(204);
    expect(JSON.stringify((await admin.get('/api/v1/admin/offices')).body)).not.toContain('Da togliere');

    const email = `nuovo-${tag}@demo.test`;
    const created = await admin.post('/api/v1/admin/users', {
      email,
      displayName: 'Nuovo Arrivato',
      grants: [{ role: 'operator', office: `Filiale ${tag}/Ragioneria` }],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      email,
      status: 'active',
      mustChangePassword: true,
      grants: [{ role: 'operator', office: `Filiale ${tag}/Ragioneria` }],
    });
    expect((await admin.post('/api/v1/admin/users', { email: email.toUpperCase(), displayName: 'Ancora' })).status).toBe(409);
    const ragioneria = ((await admin.get('/api/v1/admin/offices')).body as { offices: { id: string; path: string }[] }).offices.find(
      (o) => o.path === `Filiale ${tag}/Ragioneria`,
    )!;
    expect((await admin.delete(`/api/v1/admin/offices/${ragioneria.id}`)).status).toBe(409); // someone works there
    const unknownRole = await admin.post('/api/v1/admin/users', {
      email: `x-${tag}@demo.test`,
      displayName: 'X',
      grants: [{ role: 'sovrano', office: null }],
    });
    expect(unknownRole.status).toBe(422);
    expect(JSON.stringify(unknownRole.body)).toContain('sovrano');
    const unknownOffice = await admin.post('/api/v1/admin/users', {
      email: `y-${tag}@demo.test`,
      displayName: 'Y',
      grants: [{ role: 'user', office: 'Nessun/Posto' }],
    });
    expect(unknownOffice.status).toBe(422);
  });

  it('replaces roles, blocks (ending sessions at once), unblocks and signs a user out everywhere', async () => {
    const person = await createUser(t.app, 'demo');
    const theirs = await ApiClient.signIn(t.app.getHttpServer(), 'demo.localhost', person.email, person.password);
    expect((await theirs.get('/api/v1/me')).status).toBe(200);

    const changed = await admin.patch(`/api/v1/admin/users/${person.id}`, {
      grants: [
        { role: 'manager', office: null },
        { role: 'user', office: null },
      ],
    });
    expect(changed.status).toBe(200);
    expect((changed.body as UserBody).grants.map((g) => g.role).sort()).toEqual(['manager', 'user']);
    expect(((await theirs.get('/api/v1/me')).body as { roles: string[] }).roles).toEqual(['manager', 'user']);

    expect((await admin.patch(`/api/v1/admin/users/${person.id}`, { blocked: true })).body).toMatchObject({ status: 'blocked' });
    expect((await theirs.get('/api/v1/me')).status).toBe(401);
    expect((await admin.patch(`/api/v1/admin/users/${person.id}`, { blocked: false })).body).toMatchObject({ status: 'active' });

    const again = await ApiClient.signIn(t.app.getHttpServer(), 'demo.localhost', person.email, person.password);
    expect((await admin.post(`/api/v1/admin/users/${person.id}/sign-out`)).status).toBe(204);
    expect((await again.get('/api/v1/me')).status).toBe(401);
  });

  it('answers 404 for another workspace’s users, whatever the route', async () => {
    const demoUser = await createUser(t.app, 'demo');
    const routes: [string, (c: ApiClient) => Promise<{ status: number }>][] = [
      ['GET', (c) => c.get(`/api/v1/admin/users/${demoUser.id}`)],
      ['PATCH', (c) => c.patch(`/api/v1/admin/users/${demoUser.id}`, { displayName: 'Preso!' })],
      ['reset', (c) => c.post(`/api/v1/admin/users/${demoUser.id}/password-reset`)],
      ['sign-out', (c) => c.post(`/api/v1/admin/users/${demoUser.id}/sign-out`)],
    ];
    for (const [name, call] of routes) expect({ name, status: (await call(acmeAdmin)).status }).toEqual({ name, status: 404 });
    // demo's admin token is worth nothing on acme's host
    for (const [name, call] of routes)
      expect({ name, status: (await call(admin.on('acme.localhost'))).status }).toEqual({ name, status: 401 });
    expect(((await admin.get(`/api/v1/admin/users/${demoUser.id}`)).body as UserBody).email).toBe(demoUser.email);
  });

  it('answers 404 for a malformed id and refuses an admin blocking themselves', async () => {
    expect((await admin.get('/api/v1/admin/users/non-un-uuid')).status).toBe(404);
    const me = (await admin.get('/api/v1/me')).body as { email: string };
    const self = ((await admin.get(`/api/v1/admin/users?q=${encodeURIComponent(me.email)}`)).body as { users: UserBody[] }).users[0]!;
    expect((await admin.patch(`/api/v1/admin/users/${self.id}`, { blocked: true })).status).toBe(409);
  });
});
