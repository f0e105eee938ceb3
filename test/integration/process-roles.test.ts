import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { ensureMigrated } from '../support/migrate.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MAIN = path.join(ROOT, 'dist/main.js');
const CLI = path.join(ROOT, 'dist/cli/main.js');

function requireBuild(): void {
  if (!existsSync(MAIN) || !existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` (npm test does) before these tests');
}

/** Starts `node dist/main.js <role>` and resolves with its URL once it says it is listening. */
function startRole(role: string, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [MAIN, role], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: 'pipe',
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no "listening" line within 20 s:\n${output}`)), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/[^"\s]+)/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url: url.replace('[::1]', '127.0.0.1'), output: () => output });
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('process roles and the command line (built dist/)', () => {
  beforeAll(async () => {
    requireBuild();
    await ensureMigrated();
  });

  it('starts `all`, answers health checks, keeps secrets out of its logs, and stops cleanly on SIGTERM', async () => {
    const { child, url, output } = await startRole('all');
    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(200);
    const login = await request(url).get('/login').set('Host', 'demo.localhost');
    expect(login.status).toBe(200);
    const user = { email: `log-${Date.now()}@demo.test`, password: 'segreto da non loggare' };
    const token = await request(url).post('/api/v1/auth/token').set('Host', 'demo.localhost').send(user);
    expect(token.status).toBe(401);
    const csrfCookie = /pf_csrf=([^;]+)/.exec(String(login.headers['set-cookie']))![1]!;
    await request(url).get('/password/reset?token=un-token-segreto').set('Host', 'demo.localhost');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(output()).toContain('"path":"/password/reset"');
    for (const secret of [user.password, 'un-token-segreto', csrfCookie, 'set-cookie']) expect(output()).not.toContain(secret);
    child.kill('SIGTERM');
    expect(await exitOf(child)).toBe(0);
  });

  it('runs the worker role alone and stops it cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [MAIN, 'worker'], { env: { ...process.env, LOG_LEVEL: 'info' }, stdio: 'pipe' });
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`worker did not start:\n${output}`)), 20_000);
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('worker listening on queue mail')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGTERM');
    expect(await exitOf(child)).toBe(0);
  });

  it('marks cookies Secure and sends HSTS when served over HTTPS', async () => {
    const { child, url } = await startRole('web', { PUBLIC_SCHEME: 'https' });
    const page = await request(url).get('/login').set('Host', 'demo.localhost');
    expect(String(page.headers['set-cookie'])).toMatch(/pf_csrf=[^;]+;.*Secure/);
    expect(page.headers['strict-transport-security']).toMatch(/max-age=/);
    const plain = await startRole('web');
    expect((await request(plain.url).get('/login').set('Host', 'demo.localhost')).headers['strict-transport-security']).toBeUndefined();
    for (const c of [child, plain.child]) {
      c.kill('SIGTERM');
      await exitOf(c);
    }
  });

  it('says 503 and names the failing part when Redis is unreachable', async () => {
    const { child, url } = await startRole('web', { REDIS_URL: 'redis://127.0.0.1:1' });
    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'error', failing: ['redis'] });
    child.kill('SIGKILL');
    await exitOf(child);
  });

  it('refuses to start with a wrong variable and names it', () => {
    const run = spawnSync(process.execPath, [MAIN, 'web'], {
      env: { ...process.env, PORT: 'tremila', DATABASE_URL: 'mysql://x' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(78);
    expect(run.stderr).toContain('PORT:');
    expect(run.stderr).toContain('DATABASE_URL:');
    const role = spawnSync(process.execPath, [MAIN, 'everything'], { encoding: 'utf8' });
    expect(role.status).toBe(64);
    expect(role.stderr).toContain('web|worker|all');
  });

  it('creates and migrates a database with `pecflow db migrate`, syncs tenant files with `pecflow tenants sync`, and refuses a broken one by name', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pecflow-tenants-'));
    // A database of its own: disabling tenants must not disturb the tests running beside this one.
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `${url.pathname}_cli`;
    try {
      const migrate = spawnSync(process.execPath, [CLI, 'db', 'migrate'], {
        env: { ...process.env, DATABASE_URL: url.toString() },
        encoding: 'utf8',
      });
      expect(migrate.stdout).toContain('applied: Foundation');
      const again = spawnSync(process.execPath, [CLI, 'db', 'migrate'], {
        env: { ...process.env, DATABASE_URL: url.toString() },
        encoding: 'utf8',
      });
      expect(again.stdout).toContain('database is up to date');
      const env = { ...process.env, DATABASE_URL: url.toString(), TENANTS_DIR: dir, THEMES_DIR: path.join(ROOT, 'themes') };
      writeFileSync(path.join(dir, 'acme.yaml'), 'name: Acme\ntheme: industria\n');
      expect(spawnSync(process.execPath, [CLI, 'tenants', 'sync'], { env, encoding: 'utf8' }).stdout).toMatch(/created: acme;/);
      rmSync(path.join(dir, 'acme.yaml'));
      writeFileSync(path.join(dir, 'demo.yaml'), 'name: Comune di Demo\ntheme: civico\n');
      writeFileSync(path.join(dir, 'beta.yaml'), 'name: Beta Srl\ntheme: industria\nlocale: en\n');
      const sync = spawnSync(process.execPath, [CLI, 'tenants', 'sync'], { env, encoding: 'utf8' });
      expect(sync.stderr).toBe('');
      expect(sync.stdout).toMatch(/created: beta, demo;/);
      expect(sync.stdout).toMatch(/disabled: acme/);
      writeFileSync(path.join(dir, 'gamma.yaml'), 'name: Gamma\ntheme: nessuno\n');
      const broken = spawnSync(process.execPath, [CLI, 'tenants', 'sync'], { env, encoding: 'utf8' });
      expect(broken.status).toBe(1);
      expect(broken.stderr).toContain('theme "nessuno"');
      rmSync(path.join(dir, 'gamma.yaml'));
      writeFileSync(path.join(dir, 'acme.yaml'), 'name: Acme S.p.A.\ndomains: [pec.acme.example]\ntheme: industria\n');
      const restored = spawnSync(process.execPath, [CLI, 'tenants', 'sync'], { env, encoding: 'utf8' });
      expect(restored.stdout).toMatch(/updated: .*acme/);

      // The demo seed: offices Protocollo and Ragioneria under Direzione, the operator in Protocollo, the manager over Direzione.
      const seed = spawnSync(process.execPath, [CLI, 'seed', path.join(ROOT, 'scripts/demo-seed.yaml')], { env, encoding: 'utf8' });
      expect(seed.stderr).toBe('');
      expect(seed.stdout).toContain('demo: operator@demo.test created');
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        const grants = await client.query<{ email: string; role_key: string; office: string | null; parent: string | null }>(`
          SELECT u.email, m.role_key, o.name AS office, p.name AS parent
          FROM memberships m JOIN users u ON u.id = m.user_id JOIN tenants t ON t.id = m.tenant_id
          LEFT JOIN offices o ON o.id = m.office_id LEFT JOIN offices p ON p.id = o.parent_id
          WHERE t.slug = 'demo' ORDER BY u.email`);
        expect(grants.rows).toEqual([
          { email: 'admin@demo.test', role_key: 'admin', office: null, parent: null },
          { email: 'manager@demo.test', role_key: 'manager', office: 'Direzione', parent: null },
          { email: 'operator@demo.test', role_key: 'operator', office: 'Protocollo', parent: 'Direzione' },
          { email: 'user@demo.test', role_key: 'user', office: null, parent: null },
        ]);
        const offices = await client.query<{ name: string; parent: string | null }>(`
          SELECT o.name, p.name AS parent FROM offices o JOIN tenants t ON t.id = o.tenant_id LEFT JOIN offices p ON p.id = o.parent_id
          WHERE t.slug = 'demo' ORDER BY o.name`);
        expect(offices.rows).toEqual([
          { name: 'Direzione', parent: null },
          { name: 'Protocollo', parent: 'Direzione' },
          { name: 'Ragioneria', parent: 'Direzione' },
        ]);
      } finally {
        await client.end();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${url.pathname.slice(1)} WITH (FORCE)`);
      await admin.end();
    }
  });
});
