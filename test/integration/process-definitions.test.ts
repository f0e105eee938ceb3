import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { TenantContext } from '../../src/db/tenant-context.js';
import { ProcessDefinitions } from '../../src/process/process-definitions.js';
import { WorkflowDeployment, WorkflowFileError } from '../../src/process/workflow-deployment.js';
import { Tenant } from '../../src/tenancy/tenant.entity.js';
import { ApiClient } from '../support/api-client.js';
import { brokenBpmn, minimalBpmn } from '../support/bpmn.js';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';

interface Problem {
  status: number;
  errors: { elementId: string; elementName?: string; message: string }[];
}

describe('process definitions: deploy, versions, access, isolation, workflows/ at start', () => {
  let t: TestApp;
  let admin: ApiClient;
  let manager: ApiClient;
  let acmeAdmin: ApiClient;
  const tag = Date.now().toString(36);
  const key = `protocollo-${tag}`;
  const deploy = (client: ApiClient, xml: string, name = 'processo.bpmn') =>
    client.upload('/api/v1/process-definitions', Buffer.from(xml), name);

  beforeAll(async () => {
    t = await startTestApp();
    const server = t.app.getHttpServer();
    const a = await createUser(t.app, 'demo', { roles: ['admin'] });
    admin = await ApiClient.signIn(server, 'demo.localhost', a.email, a.password);
    const m = await createUser(t.app, 'demo', { grants: [{ role: 'manager', office: `Direzione ${tag}` }] });
    manager = await ApiClient.signIn(server, 'demo.localhost', m.email, m.password);
    const acme = await createUser(t.app, 'acme', { roles: ['admin'] });
    acmeAdmin = await ApiClient.signIn(server, 'acme.localhost', acme.email, acme.password);
  });
  afterAll(async () => {
    await t.close();
  });

  it('deploys version 1, answers the same version for the same content, and version 2 for a change', async () => {
    const first = await deploy(admin, minimalBpmn(key));
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ key, version: 1 });
    expect((await deploy(admin, minimalBpmn(key))).body).toEqual({ key, version: 1 });
    const changed = await deploy(admin, minimalBpmn(key, { taskName: 'Protocolla la PEC' }));
    expect(changed.status).toBe(201);
    expect(changed.body).toEqual({ key, version: 2 });

    const list = (await admin.get('/api/v1/process-definitions').expect(200)).body as { definitions: Record<string, unknown>[] };
    expect(list.definitions.find((d) => d.key === key)).toMatchObject({
      key,
      name: `Processo ${key}`,
      version: 2,
      versions: 2,
      solution: null,
    });
    const versions = (await admin.get(`/api/v1/process-definitions/${key}`).expect(200)).body as { versions: Record<string, unknown>[] };
    expect(versions.versions.map((v) => v.version)).toEqual([2, 1]);
    expect(JSON.stringify(versions)).not.toContain('<bpmn:');
    const xml = await admin.get(`/api/v1/process-definitions/${key}/versions/1/bpmn`).expect(200);
    expect(xml.headers['content-type']).toMatch(/^application\/xml/);
    expect(xml.text).toBe(minimalBpmn(key));
    expect((await admin.get(`/api/v1/process-definitions/${key}/versions/3/bpmn`)).status).toBe(404);
    expect((await admin.get(`/api/v1/process-definitions/${key}/versions/uno/bpmn`)).status).toBe(404);
    expect((await admin.get(`/api/v1/process-definitions/nessuno-${tag}`)).status).toBe(404);
  });

  it('refuses an invalid file with 422 and every problem tied to its element, in Italian (English on request)', async () => {
    const res = await deploy(admin, brokenBpmn(`rotto-${tag}`));
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = JSON.parse(res.text) as Problem;
    expect(body.errors.map((e) => e.elementId).sort()).toEqual(['Copione', 'Copione', 'Esamina']);
    expect(body.errors.find((e) => e.elementId === 'Esamina')).toEqual({
      elementId: 'Esamina',
      elementName: 'Esamina la PEC',
      message: expect.stringContaining('"ruolo:operatore" non è un attore valido') as string,
    });
    expect(body.errors.some((e) => e.message.includes('I task di script non sono ammessi'))).toBe(true);
    const english = await deploy(admin, brokenBpmn(`rotto-${tag}`)).set('Accept-Language', 'en');
    expect((JSON.parse(english.text) as Problem).errors.some((e) => e.message.startsWith('Script tasks are not allowed'))).toBe(true);

    const notXml = JSON.parse((await deploy(admin, 'questo non è un BPMN', 'nota.txt').expect(422)).text) as Problem;
    expect(notXml.errors).toEqual([{ elementId: 'definitions', message: expect.stringContaining('XML') as string }]);
    expect((await admin.post('/api/v1/process-definitions')).status).toBe(400);
    expect((await admin.get(`/api/v1/process-definitions/rotto-${tag}`)).status).toBe(404);
  });

  it('deploys every executable process of a file and answers the first with the list', async () => {
    const one = minimalBpmn(`primo-${tag}`);
    const second = `<bpmn:process id="secondo-${tag}" isExecutable="true"><bpmn:startEvent id="S2" /><bpmn:endEvent id="E2" /><bpmn:sequenceFlow id="F2x" sourceRef="S2" targetRef="E2" /></bpmn:process>`;
    const res = await deploy(admin, one.replace('</bpmn:definitions>', `${second}\n</bpmn:definitions>`)).expect(201);
    expect(res.body).toEqual({
      key: `primo-${tag}`,
      version: 1,
      processes: [
        { key: `primo-${tag}`, version: 1 },
        { key: `secondo-${tag}`, version: 1 },
      ],
    });
  });

  it('refuses files over 2 MB', async () => {
    const big = minimalBpmn(`grande-${tag}`).replace('<bpmn:process', `<!-- ${'x'.repeat(2 * 1024 * 1024)} -->\n<bpmn:process`);
    expect((await deploy(admin, big)).status).toBe(413);
  });

  it('lets a manager see definitions but not deploy them; others get 403', async () => {
    expect((await manager.get('/api/v1/process-definitions')).status).toBe(200);
    expect((await manager.get(`/api/v1/process-definitions/${key}`)).status).toBe(200);
    expect((await deploy(manager, minimalBpmn(`del-manager-${tag}`))).status).toBe(403);
    const user = await createUser(t.app, 'demo');
    const asUser = await ApiClient.signIn(t.app.getHttpServer(), 'demo.localhost', user.email, user.password);
    expect((await asUser.get('/api/v1/process-definitions')).status).toBe(403);
  });

  it('never shows one workspace the definitions of another', async () => {
    const list = (await acmeAdmin.get('/api/v1/process-definitions').expect(200)).body as { definitions: { key: string }[] };
    expect(list.definitions.some((d) => d.key.endsWith(tag))).toBe(false);
    expect((await acmeAdmin.get(`/api/v1/process-definitions/${key}`)).status).toBe(404);
    expect((await acmeAdmin.get(`/api/v1/process-definitions/${key}/versions/1/bpmn`)).status).toBe(404);
    expect((await admin.on('acme.localhost').get('/api/v1/process-definitions')).status).toBe(401);
  });

  it('records every deployment in the activity log', async () => {
    const page = (await admin.get('/api/v1/audit?action=process.deployed').expect(200)).body as {
      entries: { action: string; details: { key: string; version: number; created: boolean } }[];
    };
    const mine = page.entries.filter((e) => e.details.key === key).map((e) => [e.details.version, e.details.created]);
    expect(mine).toEqual([
      [2, true],
      [1, false],
      [1, true],
    ]);
  });

  describe('workflows/<solution>/*.bpmn at tenant sync', () => {
    let directory: string;
    const workflowKey = `pec-intake-${tag}`;
    const versionIn = (slug: string) =>
      runIn(slug, async () =>
        (
          await t.app
            .get(ProcessDefinitions)
            .versions(workflowKey)
            .catch(() => [])
        ).map((v) => v.version),
      );
    const runIn = async <T>(slug: string, work: () => Promise<T>): Promise<T> => {
      const tenant = await t.app.get(DataSource).getRepository(Tenant).findOneByOrFail({ slug });
      return TenantContext.run({ tenantId: tenant.id, slug }, work);
    };

    beforeAll(async () => {
      directory = await mkdtemp(path.join(tmpdir(), 'pecflow-workflows-'));
      await mkdir(path.join(directory, 'pec'));
      await mkdir(path.join(directory, 'altra'));
      await writeFile(path.join(directory, 'pec', 'intake.bpmn'), minimalBpmn(workflowKey));
      await writeFile(path.join(directory, 'altra', 'estraneo.bpmn'), minimalBpmn(`estraneo-${tag}`));
    });
    afterAll(async () => {
      await rm(directory, { recursive: true, force: true });
    });

    it("deploys a solution's files into each workspace using it, once, whatever the number of starts", async () => {
      const deployment = t.app.get(WorkflowDeployment);
      await deployment.deployAll(directory);
      await deployment.deployAll(directory);
      expect(await versionIn('demo')).toEqual([1]);
      expect(await versionIn('acme')).toEqual([1]);
      const versions = await runIn('demo', () => t.app.get(ProcessDefinitions).versions(workflowKey));
      expect(versions[0]).toMatchObject({ solution: 'pec', deployedBy: null });
      // No workspace lists the solution `altra`.
      expect(await runIn('demo', async () => (await t.app.get(ProcessDefinitions).list()).some((d) => d.key === `estraneo-${tag}`))).toBe(
        false,
      );
    });

    it('stops the sync on a broken file, naming it and its problems, and deploys nothing', async () => {
      await writeFile(path.join(directory, 'pec', 'intake.bpmn'), minimalBpmn(workflowKey, { taskName: 'Cambiato' }));
      await writeFile(path.join(directory, 'pec', 'rotto.bpmn'), brokenBpmn(`rotto-start-${tag}`));
      const failure = t.app.get(WorkflowDeployment).deployAll(directory);
      await expect(failure).rejects.toThrow(WorkflowFileError);
      await expect(t.app.get(WorkflowDeployment).deployAll(directory)).rejects.toThrow(/pec\/rotto\.bpmn:\n {2}(Esamina|Copione): /);
      expect(await versionIn('demo')).toEqual([1]);
    });
  });
});
