import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import request from 'supertest';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const MAIN = path.join(ROOT, 'dist/main.js');
const CLI = path.join(ROOT, 'dist/cli/main.js');

/**
 * The built roles (`node dist/main.js web|worker`) of one test file, on a database and a Redis
 * prefix of their own (`<DATABASE_URL>_<name>`, `<REDIS_PREFIX>-<name>`), so that kill -9 and
 * leftovers stay inside the file.
 */
export class SpawnedRoles {
  readonly env: NodeJS.ProcessEnv;
  readonly databaseUrl: string;
  private readonly database: string;
  private readonly children = new Set<ChildProcess>();

  constructor(name: string, settings: NodeJS.ProcessEnv = {}) {
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `${url.pathname}_${name.replaceAll('-', '_')}`;
    this.databaseUrl = url.toString();
    this.database = url.pathname.slice(1);
    this.env = {
      ...process.env,
      DATABASE_URL: this.databaseUrl,
      REDIS_PREFIX: `${process.env.REDIS_PREFIX ?? 'pecflow-test'}-${name}`,
      LOG_LEVEL: 'info',
      ...settings,
    };
  }

  /** A fresh, migrated database (dropped first if a previous run left it). */
  async createDatabase(): Promise<void> {
    if (!existsSync(MAIN) || !existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` (npm test does) before these tests');
    await adminQuery(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`);
    await adminQuery(`CREATE DATABASE ${this.database}`);
    this.cli('db', 'migrate');
  }

  /** A fresh database with the demo workspaces and people (tenant files, scripts/demo-seed.yaml). */
  async createDemoDatabase(): Promise<void> {
    await this.createDatabase();
    this.cli('tenants', 'sync');
    this.cli('seed', path.join(ROOT, 'scripts/demo-seed.yaml'));
  }

  /** `pecflow <args>` from dist/ on this file's database; throws with its output when it fails. */
  cli(...args: string[]): void {
    const run = spawnSync(process.execPath, [CLI, ...args], { env: this.env, cwd: ROOT, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`pecflow ${args.join(' ')} failed (${run.status}):\n${run.stdout}${run.stderr}`);
  }

  /** Starts `node dist/main.js <role>` and resolves once its output matches `ready` (group 1, if any, is `match`). */
  startRole(
    role: 'web' | 'worker',
    ready: RegExp,
    { env = {}, timeoutMs = 60_000 }: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
  ): Promise<{ child: ChildProcess; match: string }> {
    const child = spawn(process.execPath, [MAIN, role], { env: { ...this.env, PORT: '0', ...env }, cwd: ROOT, stdio: 'pipe' });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return new Promise((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`${role} not ready within ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = ready.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve({ child, match: match[1] ?? match[0] });
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${role} exited with ${code ?? signal}:\n${output}`));
      });
    });
  }

  /** The web role, with the URL it listens on. */
  async startWeb(): Promise<{ child: ChildProcess; url: string }> {
    const { child, match } = await this.startRole('web', /listening on (http:\/\/[^"\s]+)/);
    return { child, url: match.replace('[::1]', '127.0.0.1') };
  }

  /** kill -9 of every role still running. */
  async killAll(): Promise<void> {
    await Promise.all([...this.children].map(kill9));
  }

  async cleanup(): Promise<void> {
    await this.killAll();
    await adminQuery(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`);
  }
}

/** A bearer token of the demo workspace's admin (admin@demo.test), from the web role at `url`. */
export async function demoAdminToken(url: string): Promise<string> {
  const signIn = await request(url)
    .post('/api/v1/auth/token')
    .set('Host', 'demo.localhost')
    .send({ email: 'admin@demo.test', password: 'pecflow-demo' });
  return (signIn.body as { accessToken: string }).accessToken;
}

export function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
