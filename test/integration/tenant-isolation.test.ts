import request from 'supertest';
import { ApiClient } from '../support/api-client.js';
import { minimalBpmn } from '../support/bpmn.js';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Walks every route of the published API (the OpenAPI document, so a new route is covered the day
 * it is added) and tries to cross from one workspace into another.
 */
describe('tenant isolation across the whole API', () => {
  let t: TestApp;
  let demoAdmin: ApiClient;
  let acmeAdmin: ApiClient;
  let routes: { method: Method; path: string }[];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp();
    const demo = await createUser(t.app, 'demo', { roles: ['admin'], grants: [{ role: 'operator', office: `Isolamento ${Date.now()}` }] });
    demoAdmin = await ApiClient.signIn(t.app.getHttpServer(), 'demo.localhost', demo.email, demo.password);
    const acme = await createUser(t.app, 'acme', { roles: ['admin'] });
    acmeAdmin = await ApiClient.signIn(t.app.getHttpServer(), 'acme.localhost', acme.email, acme.password);
    ids.user = demo.id;
    ids.office = ((await demoAdmin.get('/api/v1/admin/offices')).body as { offices: { id: string }[] }).offices[0]!.id;
    ids.group = ((await demoAdmin.post('/api/v1/admin/groups', { name: `Isolamento ${Date.now()}` })).body as { id: string }).id;
    ids.definition = `isolamento-${Date.now().toString(36)}`;
    await demoAdmin.upload('/api/v1/process-definitions', Buffer.from(minimalBpmn(ids.definition)), 'isolamento.bpmn').expect(201);
    ids.instance = (
      (await demoAdmin.post('/api/v1/process-instances', { definitionKey: ids.definition }).expect(201)).body as { id: string }
    ).id;
    const tasks = ((await demoAdmin.get('/api/v1/tasks?state=open')).body as { tasks: { id: string; processInstanceId: string }[] }).tasks;
    ids.task = tasks.find((task) => task.processInstanceId === ids.instance)!.id;
    const doc = (await request(t.app.getHttpServer()).get('/api/docs-json').set('Host', 'demo.localhost')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({ method: method as Method, path })),
    );
  });
  afterAll(async () => {
    await t.close();
  });

  /** A demo id for each path parameter, chosen by the collection the path names (a version number is always 1). */
  const fill = (path: string): string => {
    const collection = /\/([\w-]+)\/\{/.exec(path)?.[1] ?? 'users';
    const id = {
      users: ids.user,
      offices: ids.office,
      groups: ids.group,
      'process-definitions': ids.definition,
      'process-instances': ids.instance,
      tasks: ids.task,
    }[collection];
    if (!id) throw new Error(`no demo record for ${path}: add one to this test`);
    return path.replace(/\{(\w+)\}/g, (_whole, name: string) => (name === 'version' ? '1' : id));
  };
  /** A body every route accepts as well formed, so what answers is the lookup, not validation. */
  const body = { displayName: 'Preso da fuori', name: 'Preso da fuori', members: [] };
  const call = (client: ApiClient, method: Method, path: string) => {
    switch (method) {
      case 'get':
        return client.get(path);
      case 'post':
        return client.post(path, body);
      case 'put':
        return client.put(path, body);
      case 'patch':
        return client.patch(path, body);
      case 'delete':
        return client.delete(path);
    }
  };
  const protectedRoutes = () =>
    routes.filter((r) => r.path.startsWith('/api/v1/') && !(r.method === 'post' && r.path === '/api/v1/auth/token'));

  it('covers every API route of the document', () => {
    expect(protectedRoutes().length).toBeGreaterThanOrEqual(15);
  });

  it("refuses one workspace's token on another workspace's host, on every route", async () => {
    for (const { method, path } of protectedRoutes()) {
      const res = await call(demoAdmin.on('acme.localhost'), method, fill(path));
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 401 });
    }
  });

  it("never finds another workspace's records by id: 404, and nothing changes", async () => {
    for (const { method, path } of protectedRoutes().filter((r) => r.path.includes('{'))) {
      const res = await call(acmeAdmin, method, fill(path));
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
    }
    const task = (await demoAdmin.get('/api/v1/tasks')).body as { tasks: { id: string; state: string }[] };
    expect(task.tasks.find((item) => item.id === ids.task)?.state).toBe('open');
    const user = (await demoAdmin.get(`/api/v1/admin/users/${ids.user}`)).body as { displayName: string; status: string };
    expect(user.displayName).not.toBe('Preso da fuori');
    expect(user.status).toBe('active');
  });

  it("never lists another workspace's records", async () => {
    const lists = protectedRoutes().filter((r) => r.method === 'get' && !r.path.includes('{') && !r.path.endsWith('/export'));
    for (const { path } of lists) {
      const text = JSON.stringify((await acmeAdmin.get(path)).body);
      const leaks = [ids.user!, ids.office!, ids.group!, ids.definition!, ids.instance!, ids.task!].some((id) => text.includes(id));
      expect({ path, leaks }).toEqual({ path, leaks: false });
    }
  });
});
