import { accessibilityViolations } from '../support/accessibility.js';
import { ApiClient } from '../support/api-client.js';
import { bpmnHead } from '../support/bpmn.js';
import { browserSuite, signedInPage } from '../support/browser.js';
import { createUser } from '../support/test-app.js';

/** Avvisa (notify to a group) → Esamina: with nobody in the group, an incident nothing catches. */
function noticeBpmn(key: string, group: string): string {
  return `${bpmnHead(key)}
  <bpmn:process id="${key}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
    <bpmn:serviceTask id="Avvisa" name="Avvisa l'ufficio" camunda:type="external" camunda:topic="notify">
      <bpmn:extensionElements><camunda:inputOutput>
        <camunda:inputParameter name="to">group:${group}</camunda:inputParameter>
        <camunda:inputParameter name="subject">Nuova pratica</camunda:inputParameter>
        <camunda:inputParameter name="text">Una pratica attende.</camunda:inputParameter>
      </camunda:inputOutput></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:userTask id="Esamina" camunda:candidateGroups="group:${group}" />
    <bpmn:endEvent id="EndEvent_1" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Avvisa" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Avvisa" targetRef="Esamina" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Esamina" targetRef="EndEvent_1" />
  </bpmn:process>
</bpmn:definitions>
`;
}

describe('process incidents page in a browser', () => {
  const suite = browserSuite();
  const tag = Date.now().toString(36);
  const group = `Avvisi ${tag}`;
  let admin: Awaited<ReturnType<typeof createUser>>;
  let api: ApiClient;
  let instanceId: string;

  beforeAll(async () => {
    admin = await createUser(suite.t.app, 'demo', { roles: ['admin'] });
    api = await ApiClient.signIn(suite.t.app.getHttpServer(), 'demo.localhost', admin.email, admin.password);
    const key = `incidenti-${tag}`;
    await api.upload('/api/v1/process-definitions', Buffer.from(noticeBpmn(key, group)), 'incidenti.bpmn').expect(201);
    instanceId = ((await api.post('/api/v1/process-instances', { definitionKey: key }).expect(201)).body as { id: string }).id;
    for (const until = Date.now() + 15_000; ; await new Promise((resolve) => setTimeout(resolve, 100))) {
      const body = (await api.get(`/api/v1/process-instances/${instanceId}`)).body as { incidents: unknown[] };
      if (body.incidents.length > 0) break;
      if (Date.now() > until) throw new Error('no incident opened');
    }
  });

  it('lists the incident with its error for an admin, who retries it once the group has a member', async () => {
    const page = await signedInPage(suite.browser, suite.t.origin('demo'), admin.email, admin.password, '/');
    await page.getByRole('link', { name: /Incidenti/ }).click();
    await page.waitForURL(/\/admin\/incidents$/);
    const row = page.locator('tbody tr', { hasText: instanceId });
    expect(await row.textContent()).toContain(`nobody to notify among "group:${group}"`);
    expect(await row.textContent()).toContain('no-recipients');
    expect(await accessibilityViolations(page)).toEqual([]);

    const member = await createUser(suite.t.app, 'demo', { roles: ['operator'] });
    const created = (await api.post('/api/v1/admin/groups', { name: group }).expect(201)).body as { id: string };
    await api.put(`/api/v1/admin/groups/${created.id}/members`, { members: [member.email] }).expect(200);
    await row.getByRole('button', { name: `Riprova: Avvisa (${instanceId})` }).click();
    await page.waitForURL(/\/admin\/incidents\?done=retried$/);
    expect(await page.getByRole('status').first().textContent()).toContain('Chiamata rimessa in coda');
    expect(await page.locator('tbody').textContent()).not.toContain(instanceId);
    for (const until = Date.now() + 15_000; ; await new Promise((resolve) => setTimeout(resolve, 100))) {
      const body = (await api.get(`/api/v1/process-instances/${instanceId}`)).body as { activeElements: string[] };
      if (body.activeElements.includes('Esamina')) break;
      if (Date.now() > until) throw new Error('the instance did not move on');
    }
  });

  it('shows no incidents tile or page to someone who is not an admin', async () => {
    const operator = await createUser(suite.t.app, 'demo', { roles: ['operator'] });
    const page = await signedInPage(suite.browser, suite.t.origin('demo'), operator.email, operator.password, '/');
    expect(await page.getByRole('link', { name: /Incidenti/ }).count()).toBe(0);
    const res = await page.goto(`${suite.t.origin('demo')}/admin/incidents`);
    expect(res?.status()).toBe(403);
  });
});
