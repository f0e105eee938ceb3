import { createUser, startTestApp, type TestApp } from '../support/test-app.js';
import { signIn, WebClient } from '../support/web-client.js';

describe('visibility by role and office, on pages', () => {
  let t: TestApp;
  const tag = Date.now().toString(36);
  const dir = `Dir ${tag}`;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const client = () => new WebClient(t.app.getHttpServer(), 'demo.localhost');

  it('shows a manager the people of their office and the offices below it, and nobody else', async () => {
    const manager = await createUser(t.app, 'demo', { grants: [{ role: 'manager', office: dir }], displayName: `Capo ${tag}` });
    const inSub = await createUser(t.app, 'demo', { grants: [{ role: 'operator', office: `${dir}/Protocollo` }] });
    const elsewhere = await createUser(t.app, 'demo', { grants: [{ role: 'operator', office: `Altro ${tag}` }] });
    const web = client();
    await signIn(web, manager.email, manager.password);

    const list = await web.get('/admin/users');
    expect(list.status).toBe(200);
    expect(list.text).toContain(inSub.email);
    expect(list.text).toContain(manager.email);
    expect(list.text).not.toContain(elsewhere.email);
    expect((await web.get(`/admin/users/${inSub.id}`)).status).toBe(200);
    const hidden = await web.get(`/admin/users/${elsewhere.id}`);
    expect(hidden.status).toBe(404);
    // Seeing is not administering: the manager may not change anyone.
    const denied = await web.submit(`/admin/users/${inSub.id}`, `/admin/users/${inSub.id}/block`, {});
    expect(denied.status).toBe(403);
  });

  it('shows an operator only their own record, and keeps the admin areas closed', async () => {
    const operator = await createUser(t.app, 'demo', { grants: [{ role: 'operator', office: `${dir}/Protocollo` }] });
    const colleague = await createUser(t.app, 'demo', { grants: [{ role: 'operator', office: `${dir}/Protocollo` }] });
    const web = client();
    await signIn(web, operator.email, operator.password);
    const list = await web.get('/admin/users');
    expect(list.text).toContain(operator.email);
    expect(list.text).not.toContain(colleague.email);
    expect((await web.get(`/admin/users/${colleague.id}`)).status).toBe(404);
    expect((await web.get('/admin/users/new')).status).toBe(403);
    expect((await web.get('/admin/users-import')).status).toBe(403);
    expect((await web.get('/admin/audit')).status).toBe(403);
  });

  it('lets an admin create a user and change their roles from the pages', async () => {
    const adminUser = await createUser(t.app, 'demo', { roles: ['admin'] });
    const web = client();
    await signIn(web, adminUser.email, adminUser.password);
    const email = `pagina-${tag}@demo.test`;
    const created = await web.submit('/admin/users/new', '/admin/users/new', {
      email,
      displayName: 'Da Pagina',
      addRole: 'operator',
      addOffice: '',
    });
    expect(created.status).toBe(303);
    const page = await web.get(created.headers.location as string);
    expect(page.text).toContain(email);
    expect(page.text).toContain('Operatore');
    const id = /\/admin\/users\/([0-9a-f-]{36})/.exec(created.headers.location as string)![1]!;
    await web.submit(`/admin/users/${id}`, `/admin/users/${id}`, { displayName: 'Da Pagina', addRole: 'manager', addOffice: '' });
    const after = await web.get(`/admin/users/${id}`);
    expect(after.text).toContain('Responsabile');
    expect(after.text).not.toContain('value="operator|"');
  });
});
