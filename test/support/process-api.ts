import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { ApiClient } from './api-client.js';

/**
 * The office a test file gives its tasks to. Test files run in parallel on one database: a task for
 * the workspace-wide `operator` or `manager` lands in the inbox of every such user, other files'
 * included (a browser test counting its inbox failed from that), so each file's models name the
 * candidates of an office of its own, and its people are granted their roles there.
 */
export function testOffice(tag: string): { office: string; operators: string; managers: string } {
  const office = `Ufficio ${tag}`;
  return { office, operators: `role:operator@${office}`, managers: `role:manager@${office}` };
}

/** A user of the workspace at `host`, signed in through the API. */
export function signIn(
  app: NestExpressApplication,
  user: { email: string; password: string },
  host = 'demo.localhost',
): Promise<ApiClient> {
  return ApiClient.signIn(app.getHttpServer(), host, user.email, user.password);
}

/** Deploys a BPMN file (201 expected). */
export async function deploy(client: ApiClient, key: string, bpmn: string): Promise<void> {
  await client.upload('/api/v1/process-definitions', Buffer.from(bpmn), `${key}.bpmn`).expect(201);
}

/** Starts the latest version of `definitionKey` (201 expected); the new instance's id. */
export async function startInstance(
  client: ApiClient,
  definitionKey: string,
  businessKey: string | null,
  variables: Record<string, unknown> = {},
): Promise<string> {
  const res = await client.post('/api/v1/process-instances', { definitionKey, businessKey, variables }).expect(201);
  return (res.body as { id: string }).id;
}

/** An instance as the API shows it to `client`. */
export async function instanceOf(client: ApiClient, id: string): Promise<{ status: string; activeElements: string[]; variables: object }> {
  return (await client.get(`/api/v1/process-instances/${id}`).expect(200)).body as {
    status: string;
    activeElements: string[];
    variables: object;
  };
}

/** The task row of an instance's user task (any state), read from the database: whoever may see it or not. */
export async function taskOf(app: NestExpressApplication, instanceId: string, elementId: string): Promise<{ id: string; state: string }> {
  const [task] = await app
    .get(DataSource)
    .query<{ id: string; state: string }[]>(`SELECT id, state FROM tasks WHERE instance_id = $1 AND element_id = $2`, [
      instanceId,
      elementId,
    ]);
  if (!task) throw new Error(`instance ${instanceId} has no task ${elementId}`);
  return task;
}

/** Claims and completes the task as `client` (200 expected for both); the instance after the step. */
export async function completeTask(
  client: ApiClient,
  taskId: string,
  data: Record<string, unknown> = {},
): Promise<{ processInstance: { id: string; status: string } }> {
  await client.post(`/api/v1/tasks/${taskId}/claim`).expect(200);
  return (await client.post(`/api/v1/tasks/${taskId}/complete`, { data }).expect(200)).body as {
    processInstance: { id: string; status: string };
  };
}
