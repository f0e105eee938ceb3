import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import { ApiClient } from '../support/api-client.js';
import { createUser, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The shared corpus of real models (shared/corpus/bpmn/SOURCES.md) through the server, as a user
 * deploys them: each file is refused with reasons tied to elements (422) or deployed (201) and then
 * every process in it started, to reach a waiting or completed state — an accepted model that fails
 * at run time is a gap in the validator. The server must still be ready afterwards. Without ../shared
 * there is nothing to read, and the test says so.
 */
const CORPUS = path.resolve(import.meta.dirname, '../../../shared/corpus/bpmn');
const present = existsSync(CORPUS);

interface Problem {
  errors?: { elementId: string; message: string }[];
}
interface Deployed {
  key: string;
  version: number;
  processes?: { key: string; version: number }[];
  warnings?: { elementId: string; message: string }[];
}

async function modelsUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && /\.(bpmn|xml)$/i.test(entry.name))
    .map((entry) => path.relative(CORPUS, path.join(entry.parentPath, entry.name)))
    .sort();
}

// Jest registers tests synchronously, so the file list is read before the describe blocks.
const files = present ? await modelsUnder(CORPUS) : [];

describe('the shared BPMN corpus, deployed and run through the API', () => {
  let t: TestApp | undefined;
  let admin: ApiClient;
  const outcomes: { file: string; deployed: boolean; detail: string }[] = [];

  beforeAll(async () => {
    if (!present) return;
    t = await startTestApp();
    const user = await createUser(t.app, 'demo', { roles: ['admin'] });
    admin = await ApiClient.signIn(t.app.getHttpServer(), 'demo.localhost', user.email, user.password);
  });
  afterAll(async () => {
    if (present) {
      const refused = outcomes.filter((o) => !o.deployed);
      process.stderr.write(
        `\nbpmn-corpus-run: ${outcomes.length - refused.length} deployed and run, ${refused.length} refused of ${outcomes.length}\n` +
          `${outcomes.map((o) => `  ${o.deployed ? 'run     ' : 'refused '} ${o.file} — ${o.detail}`).join('\n')}\n`,
      );
    }
    await t?.close();
  });

  it(present ? `holds models under ${CORPUS}` : 'is absent, so there is no real model to run', () => {
    if (!present) {
      process.stderr.write(`\nbpmn-corpus-run: ${CORPUS} not found (no ../shared beside the repository): real models not run\n`);
      expect(files).toEqual([]);
      return;
    }
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(`deploys and runs ${file}, or refuses it with reasons tied to elements`, async () => {
      const deployed = await admin
        .upload('/api/v1/process-definitions', await readFile(path.join(CORPUS, file)), path.basename(file))
        .set('Accept-Language', 'en');
      if (deployed.status === 422) {
        const { errors } = deployed.body as Problem;
        expect(errors?.length).toBeGreaterThan(0);
        for (const error of errors!) {
          expect(error.elementId).toEqual(expect.any(String));
          expect(error.elementId.length).toBeGreaterThan(0);
          expect(error.message.length).toBeGreaterThan(0);
        }
        outcomes.push({ file, deployed: false, detail: `${errors![0]!.elementId}: ${errors![0]!.message}` });
        return;
      }
      expect(deployed.status).toBe(201);
      const answer = deployed.body as Deployed;
      for (const warning of answer.warnings ?? []) {
        expect(warning).toMatchObject({ elementId: expect.stringMatching(/./), message: expect.stringMatching(/./) });
      }
      const statuses: string[] = [];
      for (const { key } of answer.processes ?? [answer]) {
        const started = await admin.post('/api/v1/process-instances', { definitionKey: key });
        expect({ key, status: started.status, body: started.body as unknown }).toMatchObject({ key, status: 201 });
        const { id, status } = started.body as { id: string; status: string };
        const instance = (await admin.get(`/api/v1/process-instances/${id}`).expect(200)).body as {
          status: string;
          failure: string | null;
        };
        expect({ key, status, failure: instance.failure }).toEqual({
          key,
          status: expect.stringMatching(/^(waiting|completed)$/),
          failure: null,
        });
        statuses.push(`${key}: ${status}`);
      }
      const warned = answer.warnings?.length ? ` (${answer.warnings.length} warning(s))` : '';
      outcomes.push({ file, deployed: true, detail: statuses.join(', ') + warned });
    });
  }

  it(present ? 'is still ready after every model' : 'has no server to ask without models', async () => {
    if (!t) {
      expect(files).toEqual([]);
      return;
    }
    await request(t.app.getHttpServer()).get('/health/ready').expect(200);
  });
});
