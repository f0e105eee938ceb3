import type { ChildProcess } from 'node:child_process';
import { jest } from '@jest/globals';
import pg from 'pg';
import request from 'supertest';
import { eventually } from '../support/eventually.js';
import { demoAdminToken, kill9, SpawnedRoles } from '../support/spawned-roles.js';

jest.setTimeout(180_000);

/**
 * The beats the built worker's housekeeping gives back or charges when the process that held them
 * died (decision 0029): a plug call's attempt killed between reserve and debit, and a PEC whose
 * sending worker died mid-SMTP, settled from what its receipts said afterwards. The crashed state is
 * made as the dead process left it (the same statements); the worker that finds it is the real one.
 */
const HOST = 'demo.localhost';

const roles = new SpawnedRoles('beats-housekeeping', {
  // Sweeps every 300 ms, and an attempt's hold is stale after 2 s (5 min and 1 h in production).
  BEATS_HOLD_SWEEP_MS: '300',
  BEATS_CALL_HOLD_STALE_MS: '2000',
  HOST: '127.0.0.1',
});

interface Balance {
  balance: number;
  reserved: number;
  available: number;
}

describe('beats housekeeping: holds of work that died are settled or released (built worker)', () => {
  let db: pg.Client;
  let url: string;
  let token: string;
  let tenantId: string;

  beforeAll(async () => {
    await roles.createDemoDatabase();
    db = new pg.Client({ connectionString: roles.databaseUrl });
    await db.connect();
    tenantId = (await db.query<{ id: string }>(`SELECT id FROM tenants WHERE slug = 'demo'`)).rows[0]!.id;
    url = (await roles.startWeb()).url;
    token = await demoAdminToken(url);
  }, 90_000);

  afterAll(async () => {
    await db?.end();
    await roles.cleanup();
  }, 30_000);

  // The web role serves both tests; each test's workers go with it.
  const workers: ChildProcess[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map(kill9));
  });

  const api = (method: 'get' | 'post', pathname: string) =>
    request(url)[method](pathname).set('Host', HOST).set('Authorization', `Bearer ${token}`);
  const balance = async () => (await api('get', '/api/v1/beats').expect(200)).body as Balance;
  const worker = async () => {
    const started = await roles.startRole('worker', /worker listening on queue maintenance/);
    workers.push(started.child);
    return started;
  };
  const ledger = async (key: string) =>
    (
      await db.query<{ kind: string; beats: number }>(
        `SELECT kind, beats FROM beat_ledger WHERE tenant_id = $1 AND idempotency_key LIKE $2 ORDER BY created_at`,
        [tenantId, `${key}%`],
      )
    ).rows;

  it("releases once the hold of a plug call whose attempt died before its debit; a campaign's reservation stays", async () => {
    const before = await balance();
    // What BeatsMeter.around leaves when its process is killed while the plug runs: the attempt's
    // reservation, open, and no debit. And a campaign's reservation, which lives as long as the campaign.
    await db.query(
      `SELECT * FROM beats_reserve($1, 'set-variables:killed-call:attempt:' || gen_random_uuid(), 'set-variables', 1, 3, NULL, NULL, NULL, NULL)`,
      [tenantId],
    );
    await db.query(`SELECT * FROM beats_reserve($1, 'campaign:long', 'pec.send', 5, 5, NULL, NULL, NULL, NULL)`, [tenantId]);
    expect(await balance()).toMatchObject({ balance: before.balance, reserved: before.reserved + 8, available: before.available - 8 });

    const first = await worker();
    const after = await eventually(async () => {
      const now = await balance();
      return now.reserved === before.reserved + 5 && now;
    }, 60_000);
    expect(after).toMatchObject({ balance: before.balance, available: before.available - 5 });
    // A second worker sweeping the same holds (the first killed -9 meanwhile) finds nothing more to release.
    await kill9(first.child);
    await worker();
    expect(await ledger('set-variables:killed-call:')).toEqual([
      { kind: 'reservation', beats: 3 },
      { kind: 'release', beats: 3 },
    ]);
    expect(await ledger('campaign:long')).toEqual([{ kind: 'reservation', beats: 5 }]);
    const activity = await db.query<{ action: string; resource_id: string }>(
      `SELECT action, resource_id FROM activity_log WHERE tenant_id = $1 AND action = 'beats.released'`,
      [tenantId],
    );
    expect(activity.rows).toEqual([{ action: 'beats.released', resource_id: 'killed-call' }]);
    expect(await balance()).toMatchObject({ balance: before.balance, reserved: before.reserved + 5 });
  });

  it('settles the hold of a PEC whose send outcome was lost: charged for the recipients accepted, released for the others', async () => {
    const { mailboxes } = (await api('get', '/api/v1/mailboxes').expect(200)).body as { mailboxes: { id: string; address: string }[] };
    const mailboxId = mailboxes.find((box) => box.address === 'protocollo@pec.demo.test')!.id;
    const send = async (subject: string) =>
      (
        (
          await api('post', '/api/v1/messages')
            .send({ mailboxId, subject, text: 'Buongiorno.', to: ['uno@pec.acme.test', 'due@pec.acme.test'] })
            .expect(202)
        ).body as { id: string }
      ).id;
    const before = await balance();
    const accepted = await send('Accettata dopo il crash');
    const unknown = await send('Esito sconosciuto');
    expect(await balance()).toMatchObject({ reserved: before.reserved + 4 });
    // The state a sending worker killed mid-SMTP leaves (the attempt committed, no outcome, the hold
    // open), once the receipts spoke: an accettazione for one recipient and a refusal for the other,
    // or none at all and PEC_SEND_UNKNOWN_AFTER_MS later both `unknown`.
    const crashed = async (id: string, statuses: [string, string], status: string) => {
      await db.query(`UPDATE pec_messages SET status = $2, attempted_at = now() WHERE id = $1`, [id, status]);
      await db.query(`UPDATE pec_recipients SET status = CASE address WHEN 'uno@pec.acme.test' THEN $2 ELSE $3 END WHERE message_id = $1`, [
        id,
        ...statuses,
      ]);
    };
    await crashed(accepted, ['accepted', 'refused'], 'accepted');
    await crashed(unknown, ['unknown', 'unknown'], 'unknown');

    await worker();
    const after = await eventually(async () => {
      const now = await balance();
      return now.reserved === before.reserved && now;
    }, 60_000);
    expect(after).toMatchObject({ balance: before.balance - 1, available: before.available - 1 });
    expect(await ledger(`pec.send:${accepted}`)).toEqual([
      { kind: 'reservation', beats: 2 },
      { kind: 'debit', beats: 1 },
      { kind: 'release', beats: 1 },
    ]);
    expect(await ledger(`pec.send:${unknown}`)).toEqual([
      { kind: 'reservation', beats: 2 },
      { kind: 'release', beats: 2 },
    ]);
  });
});
