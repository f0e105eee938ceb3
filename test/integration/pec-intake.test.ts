import type { ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../src/config/load-config.js';
import { LocalMailboxes } from '../../src/local-mail/local-mailboxes.js';
import { sealCredentials } from '../../src/mailboxes/mailbox-credentials.js';
import { LmtpDelivery } from '../../src/pec-provider/lmtp-delivery.js';
import { connectRedis } from '../../src/queue/redis.module.js';
import { SecretBox } from '../../src/secrets/secret-box.js';
import { sourceContext } from '../../src/pec/intake/intake-store.js';
import { inbox, startPecProvider, waitForMessages, type PecProviderHarness } from '../support/pec-provider.js';
import { eventually } from '../support/eventually.js';
import { kill9, SpawnedRoles } from '../support/spawned-roles.js';

/**
 * The PEC intake as the built worker runs it (`node dist/main.js worker`), against the real Dovecot,
 * on a database and Redis prefix of its own: mail delivered before, during and across kill -9 of the
 * worker, two workers at once, a wrong password, a UIDVALIDITY change. The server's INBOX is the
 * truth each test compares the recorded rows with: every message once, nothing more.
 */
const roles = new SpawnedRoles('intake', {
  PEC_INTAKE_LEASE_SECONDS: '3',
  PEC_INTAKE_RECONCILE_SECONDS: '2',
  PEC_INTAKE_BACKOFF_CAP_SECONDS: '2',
});
const config = loadConfig(roles.env);
const secrets = new SecretBox(config);
const dovecot = new LocalMailboxes(config);
const lmtp = new LmtpDelivery(config.DOVECOT_LMTP_PORT);
const redis = connectRedis(config);
const tag = Date.now().toString(36);

/** `node dist/main.js worker`, resolved once its intake has started; `token` is its name in the mailbox leases. */
async function startWorker(extra: NodeJS.ProcessEnv = {}): Promise<ChildProcess & { token: string }> {
  const { child, match } = await roles.startRole('worker', /PEC intake started \(worker ([0-9a-f-]+)\)/, { env: extra });
  return Object.assign(child, { token: match });
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface Row {
  id: string;
  tenant_id: string;
  uidvalidity: string;
  uid: string;
  raw: Buffer;
  sha256: string;
  size: number;
  kind: string | null;
  state: string;
}

describe('PEC intake: every message of a mailbox recorded exactly once (built worker, real Dovecot)', () => {
  let db: pg.Client;
  let provider: PecProviderHarness;
  const tenants: Record<'one' | 'two', string> = { one: '', two: '' };
  const created: string[] = [];

  /** A Dovecot mailbox and the pecflow mailbox that reads it; `password` overrides what is stored. */
  const mailbox = async (tenant: 'one' | 'two', name: string, stored?: string) => {
    const address = `intake-${name}-${tag}@pec.demo.test`;
    const password = await provider.mailbox(address);
    created.push(address);
    const id = randomUUID();
    await db.query(
      `INSERT INTO mailboxes (id, tenant_id, address, preset, profile, smtp_host, smtp_port, smtp_security, imap_host, imap_port,
         imap_security, sent_folder, per_minute, per_day, max_message_mb, max_recipients, credentials)
       VALUES ($1, $2, $3, 'local', 'standard', '127.0.0.1', $4, 'none', '127.0.0.1', $5, 'none', 'Sent', 60, 1000, 30, 50, $6)`,
      [
        id,
        tenants[tenant],
        address,
        provider.port,
        config.DOVECOT_IMAP_PORT,
        sealCredentials(secrets, id, { username: address, password: stored ?? password }),
      ],
    );
    return { id, address, password };
  };

  let sequence = 0;
  /** Plain mail straight into the INBOX over LMTP, as a provider's punto di consegna does. */
  const deliver = async (address: string, count: number) => {
    for (let n = 0; n < count; n += 1) {
      sequence += 1;
      const raw = Buffer.from(
        `From: mittente@pec.esterno.test\r\nTo: ${address}\r\nSubject: Prova ${sequence}\r\nMessage-ID: <intake-${tag}-${sequence}@pec.esterno.test>\r\n` +
          `Date: ${new Date().toUTCString()}\r\n\r\nTesto riservato numero ${sequence}.\r\n`,
      );
      await lmtp.deliver('mittente@pec.esterno.test', address, raw);
    }
  };

  const rows = async (mailboxId: string) =>
    (
      await db.query<Row>(
        `SELECT id, tenant_id, uidvalidity, uid, raw, sha256, size, kind, state FROM pec_inbound_messages WHERE mailbox_id = $1 ORDER BY uid`,
        [mailboxId],
      )
    ).rows;

  /** Each stored message of the mailbox with its number of `pec.receive` debits. */
  const debitsOf = async (mailboxId: string) =>
    (
      await db.query<{ id: string; debits: number }>(
        `SELECT m.id, count(l.id)::int AS debits FROM pec_inbound_messages m
           LEFT JOIN beat_ledger l ON l.tenant_id = m.tenant_id AND l.kind = 'debit' AND l.idempotency_key = 'pec.receive:' || m.id
          WHERE m.mailbox_id = $1 GROUP BY m.id`,
        [mailboxId],
      )
    ).rows;

  /** Waits until the rows are exactly the INBOX (each source once) and all processed; returns them. */
  const recordedExactly = async (box: { id: string; address: string; password: string }, count: number) => {
    const server = (await inbox(box.address, box.password)).map(sha256).sort();
    expect(server).toHaveLength(count);
    let seen: Row[] = [];
    const recorded = await eventually(async () => {
      seen = await rows(box.id);
      return seen.length >= count && seen.every((row) => row.state === 'processed') && seen;
      // A job in hand when a worker was killed runs again once BullMQ finds it stalled (its lock lapses).
    }, 100_000).catch((error: Error) => {
      const processed = seen.filter((row) => row.state === 'processed').length;
      throw new Error(`${error.message}: ${seen.length} of ${count} recorded, ${processed} processed`);
    });
    expect(recorded.map((row) => row.sha256).sort()).toEqual(server);
    // Each opened source is the server's bytes; the stored bytes are not.
    for (const row of recorded) {
      const opened = secrets.openBytes(row.raw, sourceContext(row.id));
      expect(sha256(opened)).toBe(row.sha256);
      expect(opened.length).toBe(row.size);
      expect(row.raw.includes(Buffer.from('Testo riservato'))).toBe(false);
      expect(row.raw.includes(Buffer.from('Message-ID'))).toBe(false);
    }
    return recorded;
  };

  const state = async (mailboxId: string) =>
    (await db.query<{ state: string; state_reason: string | null }>(`SELECT state, state_reason FROM mailboxes WHERE id = $1`, [mailboxId]))
      .rows[0]!;

  beforeAll(async () => {
    await roles.createDatabase();
    db = new pg.Client({ connectionString: roles.databaseUrl });
    await db.connect();
    for (const key of ['one', 'two'] as const) {
      const inserted = await db.query<{ id: string }>(
        `INSERT INTO tenants (slug, name, theme, default_locale) VALUES ($1, $1, 'civico', 'it') RETURNING id`,
        [`intake-${key}-${tag}`],
      );
      tenants[key] = inserted.rows[0]!.id;
    }
    provider = await startPecProvider();
  }, 60_000);

  afterEach(async () => {
    await roles.killAll();
    // The killed workers' leases lapse on their own; these mailboxes are done, so nobody reads them next.
    await db.query(`DELETE FROM mailboxes`);
  });

  afterAll(async () => {
    await provider?.close();
    lmtp.close();
    await redis.quit();
    for (const address of created) await dovecot.remove(address);
    await db?.end();
    await roles.cleanup();
  }, 30_000);

  it('records mail delivered before and while the worker runs, once, sealed, parsed, each tenant apart', async () => {
    const a = await mailbox('one', 'a');
    const b = await mailbox('two', 'b');
    await deliver(a.address, 3);
    await deliver(b.address, 2);
    await startWorker();
    await eventually(async () => (await rows(a.id)).length === 3 && (await rows(b.id)).length === 2, 30_000);
    await deliver(a.address, 4);
    // A real busta from the local provider: the parser's kind is stored with the row.
    const sender = `intake-sender-${tag}@pec.demo.test`;
    const senderPassword = await provider.mailbox(sender);
    created.push(sender);
    await provider.send({ address: sender, password: senderPassword }, { to: a.address, subject: 'Busta per la intake', text: 'Corpo' });
    await waitForMessages(a.address, a.password, (raw) => raw.includes('Busta per la intake'), 1);

    const recordedA = await recordedExactly(a, 8);
    const recordedB = await recordedExactly(b, 2);
    expect(recordedA.map((row) => row.kind).sort()).toEqual([...Array<string>(7).fill('not-pec'), 'posta-certificata']);
    expect(new Set(recordedA.map((row) => row.tenant_id))).toEqual(new Set([tenants.one]));
    expect(new Set(recordedB.map((row) => row.tenant_id))).toEqual(new Set([tenants.two]));
    expect(await state(a.id)).toEqual({ state: 'connected', state_reason: null });
    const busta = recordedA.find((row) => row.kind === 'posta-certificata')!;
    const summary = (
      await db.query<{ summary: { subject: string; sender: string } }>(`SELECT summary FROM pec_inbound_messages WHERE id = $1`, [busta.id])
    ).rows[0]!.summary;
    expect(summary).toMatchObject({ sender });
    expect(summary.subject).toContain('Busta per la intake');
  }, 90_000);

  it('stores incoming PEC even with no beats: each message charged as overdraft, receipts free, the overdraft logged', async () => {
    // These test workspaces have no packs: 0 beats. A mailbox of its own ('g'): the UIDVALIDITY test counts 'f'.
    const f = await mailbox('two', 'g');
    await deliver(f.address, 2);
    const receipt = Buffer.from(
      `From: posta-certificata@pec.esterno.test\r\nTo: ${f.address}\r\nSubject: ACCETTAZIONE: prova\r\nX-Ricevuta: accettazione\r\n` +
        `Message-ID: <ricevuta-${tag}@pec.esterno.test>\r\nDate: ${new Date().toUTCString()}\r\n\r\nRicevuta.\r\n`,
    );
    await lmtp.deliver('posta-certificata@pec.esterno.test', f.address, receipt);
    await startWorker();
    const recorded = await recordedExactly(f, 3);
    const charged = async () =>
      (
        await db.query<{ plug: string; units: number; beats: number; overdraft: number; subject_id: string }>(
          `SELECT plug, units, beats, overdraft, subject_id FROM beat_ledger WHERE kind = 'debit' AND subject_id = ANY($1) ORDER BY subject_id`,
          [recorded.map((row) => row.id)],
        )
      ).rows;
    const debits = await eventually(async () => {
      const rows = await charged();
      return rows.length === 2 && rows;
    }, 20_000);
    expect(debits).toEqual(
      recorded
        .filter((row) => !secrets.openBytes(row.raw, sourceContext(row.id)).includes('X-Ricevuta: accettazione'))
        .map((row) => ({ plug: 'pec.receive', units: 1, beats: 1, overdraft: 1, subject_id: row.id }))
        .sort((x, y) => x.subject_id.localeCompare(y.subject_id)),
    );
    const alerts = await db.query<{ resource_id: string }>(
      `SELECT resource_id FROM activity_log WHERE tenant_id = $1 AND action = 'beats.overdraft'`,
      [tenants.two],
    );
    expect(alerts.rows.map((row) => row.resource_id)).toEqual(expect.arrayContaining(debits.map((debit) => debit.subject_id)));
    const account = await db.query<{ overdraft: string }>(`SELECT overdraft FROM beat_accounts WHERE tenant_id = $1`, [tenants.two]);
    expect(Number(account.rows[0]!.overdraft)).toBeGreaterThanOrEqual(2);
  }, 90_000);

  it('loses, repeats and leaves uncharged nothing when the worker is killed -9 in the middle of a burst and started again', async () => {
    const c = await mailbox('one', 'c');
    await deliver(c.address, 40);
    const worker = await startWorker({ PEC_INTAKE_BATCH_SIZE: '2' });
    await eventually(async () => (await rows(c.id)).length >= 2, 30_000, 20);
    await kill9(worker);
    // Killed as soon as messages were stored: each stored one has its pec.receive debit already (one
    // transaction), where a charge made after the commit would be missing for the batch in hand.
    const atKill = await debitsOf(c.id);
    expect(atKill.length).toBeLessThan(40);
    expect(atKill.filter((row) => row.debits !== 1)).toEqual([]);
    await deliver(c.address, 10);
    await startWorker({ PEC_INTAKE_BATCH_SIZE: '2' });
    await recordedExactly(c, 50);
    const charged = await debitsOf(c.id);
    expect(charged).toHaveLength(50);
    expect(charged.filter((row) => row.debits !== 1)).toEqual([]);
  }, 180_000);

  it('records each message once with two workers running, and after the reading one is killed', async () => {
    const d = await mailbox('two', 'd');
    const [first] = await Promise.all([startWorker({ PEC_INTAKE_BATCH_SIZE: '3' }), startWorker({ PEC_INTAKE_BATCH_SIZE: '3' })]);
    await deliver(d.address, 20);
    await recordedExactly(d, 20);
    await kill9(first);
    await deliver(d.address, 10);
    await recordedExactly(d, 30);
  }, 180_000);

  it('shows a wrong password as failing with its reason, then connects and catches up once it is fixed', async () => {
    const e = await mailbox('one', 'e', 'not-the-password');
    await deliver(e.address, 2);
    await startWorker();
    expect(await eventually(async () => (await state(e.id)).state === 'failing' && state(e.id), 30_000)).toEqual({
      state: 'failing',
      state_reason: 'imap:auth-failed',
    });
    expect(await rows(e.id)).toEqual([]);
    await db.query(`UPDATE mailboxes SET credentials = $2, updated_at = now() WHERE id = $1`, [
      e.id,
      sealCredentials(secrets, e.id, { username: e.address, password: e.password }),
    ]);
    await recordedExactly(e, 2);
    expect(await state(e.id)).toEqual({ state: 'connected', state_reason: null });
    // The activity log has the changes, not every retry.
    const changes = await db.query<{ details: { state: string; reason: string | null } }>(
      `SELECT details FROM activity_log WHERE action = 'mailbox.state-changed' AND resource_id = $1 ORDER BY seq`,
      [e.id],
    );
    expect(changes.rows.map((row) => [row.details.state, row.details.reason])).toEqual([
      ['failing', 'imap:auth-failed'],
      ['connected', null],
    ]);
  }, 90_000);

  it('reads the folder again under a new UIDVALIDITY without recording a message twice', async () => {
    const f = await mailbox('two', 'f');
    await deliver(f.address, 3);
    const worker = await startWorker();
    const before = await recordedExactly(f, 3);
    await kill9(worker);
    // The server loses its UID list and index (a restore, a rebuilt mailbox): Dovecot assigns a new UIDVALIDITY.
    const maildir = path.join(config.DOVECOT_DIR, 'mail', 'pec.demo.test', f.address.split('@')[0]!, 'Maildir');
    for (const file of await readdir(maildir)) if (file.startsWith('dovecot')) await rm(path.join(maildir, file), { force: true });
    await deliver(f.address, 2);
    await startWorker();
    const after = await recordedExactly(f, 5);
    const uidvalidities = new Set(after.map((row) => row.uidvalidity));
    expect(uidvalidities.size).toBe(2);
    expect(after.filter((row) => row.uidvalidity === before[0]!.uidvalidity).map((row) => row.id)).toEqual(before.map((row) => row.id));
    const checkpoint = await db.query<{ uidvalidity: string }>(`SELECT uidvalidity FROM pec_intake_checkpoints WHERE mailbox_id = $1`, [
      f.id,
    ]);
    expect(checkpoint.rows[0]!.uidvalidity).not.toBe(before[0]!.uidvalidity);
  }, 120_000);
});
