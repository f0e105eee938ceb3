import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Group commit for the beats meter (docs/decisions/0029-beats-throughput.md): `beats_apply` runs a
 * list of one tenant's movements in order, each through the function of 0022 that makes it, in ONE
 * statement and so one transaction and one commit. The rules are those functions' (the account row
 * lock, the checks after it, idempotency keys); what changes is that a commit's WAL flush, the bound
 * of one tenant's movements per second, is paid once for many of them. It also tells the meter
 * whether the low-balance alert needs a look, so a metered call no longer reads the balance for it.
 */
export class BeatsGroupCommit1767000000000 implements MigrationInterface {
  name = 'BeatsGroupCommit1767000000000';

  async up(runner: QueryRunner): Promise<void> {
    // A move: {"op": "debit"|"reserve"|"release", "key", "plug", "units", "beats", "user", "campaign",
    // "subjectType", "subjectId", "overdraft", "reservation", "unlessCharged"}. Answers one row per move,
    // in order, with that function's row as JSON; `check_low` (the same on every row): after the last
    // move, available beats are on the other side of the low-balance threshold from what the alert last
    // recorded (below and not alerted yet, or back above and not re-armed). A reserve with
    // `unlessCharged` answers {"outcome": "charged"} when a debit with that key exists (a retried call).
    await runner.query(`
      CREATE FUNCTION beats_apply(p_tenant uuid, p_moves jsonb)
      RETURNS TABLE (n integer, result jsonb, check_low boolean) LANGUAGE plpgsql AS $$
      DECLARE move jsonb; i integer := 0; results jsonb[] := '{}'; res jsonb; lowers boolean := false;
              account beat_accounts; settings beat_alert_settings; available bigint; flag boolean := false;
      BEGIN
        FOR move IN SELECT value FROM jsonb_array_elements(p_moves) LOOP
          IF move->>'op' = 'debit' THEN
            SELECT to_jsonb(d) INTO res FROM beats_debit(p_tenant, move->>'key', move->>'plug', (move->>'units')::integer,
              (move->>'beats')::integer, (move->>'user')::uuid, (move->>'campaign')::uuid, move->>'subjectType',
              move->>'subjectId', coalesce((move->>'overdraft')::boolean, false), (move->>'reservation')::uuid) d;
            lowers := true;
          ELSIF move->>'op' = 'reserve' THEN
            IF move->>'unlessCharged' IS NOT NULL AND EXISTS (
                 SELECT 1 FROM beat_ledger l WHERE l.tenant_id = p_tenant AND l.kind = 'debit'
                                              AND l.idempotency_key = move->>'unlessCharged') THEN
              res := jsonb_build_object('outcome', 'charged');
            ELSE
              SELECT to_jsonb(r) INTO res FROM beats_reserve(p_tenant, move->>'key', move->>'plug', (move->>'units')::integer,
                (move->>'beats')::integer, (move->>'user')::uuid, (move->>'campaign')::uuid, move->>'subjectType',
                move->>'subjectId') r;
              lowers := true;
            END IF;
          ELSIF move->>'op' = 'release' THEN
            SELECT to_jsonb(r) INTO res FROM beats_release(p_tenant, (move->>'reservation')::uuid) r;
          ELSE
            RAISE EXCEPTION 'beats_apply: unknown move %', move->>'op';
          END IF;
          results := array_append(results, res);
        END LOOP;
        -- Releases never run the check (0023: a failed call near the line must not make the alert flap).
        IF lowers THEN
          SELECT * INTO settings FROM beat_alert_settings s WHERE s.tenant_id = p_tenant;
          IF FOUND AND settings.low_balance IS NOT NULL THEN
            SELECT * INTO account FROM beat_accounts a WHERE a.tenant_id = p_tenant;
            available := beats_live(p_tenant) - coalesce(account.overdraft, 0) - coalesce(account.reserved, 0);
            flag := (available < settings.low_balance) <> (settings.low_since IS NOT NULL);
          END IF;
        END IF;
        FOREACH res IN ARRAY results LOOP
          i := i + 1;
          n := i; result := res; check_low := flag;
          RETURN NEXT;
        END LOOP;
      END
      $$`);
    // The same lock, without a speculative INSERT on every movement: 0022's function (kept, renamed),
    // which creates the row, only for a tenant's first movement (the INSERT … ON CONFLICT cost more
    // than the rest of a batched debit's locking).
    await runner.query(`ALTER FUNCTION beats_lock_account(uuid) RENAME TO beats_lock_new_account`);
    await runner.query(`
      CREATE FUNCTION beats_lock_account(p_tenant uuid) RETURNS beat_accounts LANGUAGE plpgsql AS $$
      DECLARE account beat_accounts;
      BEGIN
        SELECT * INTO account FROM beat_accounts WHERE tenant_id = p_tenant FOR UPDATE;
        IF NOT FOUND THEN
          account := beats_lock_new_account(p_tenant);
        END IF;
        RETURN account;
      END
      $$`);
    // The same consumption (earliest expiry first, under the account lock), with one UPDATE for the
    // usual case where the first live pack covers the whole debit; 0022's loop (kept, renamed) only
    // when the debit spans packs or credit is short. The loop was the larger half of a batched debit's CPU.
    await runner.query(`ALTER FUNCTION beats_consume(uuid, integer) RENAME TO beats_consume_packs`);
    await runner.query(`
      CREATE FUNCTION beats_consume(p_tenant uuid, p_beats integer, OUT allocations jsonb, OUT missing integer)
      LANGUAGE plpgsql AS $$
      DECLARE first uuid;
      BEGIN
        IF p_beats > 0 THEN
          UPDATE beat_packs p SET remaining = p.remaining - p_beats
           WHERE p.id = (SELECT l.id FROM beat_packs l
                          WHERE l.tenant_id = p_tenant AND l.remaining > 0 AND l.expires_at > now()
                          ORDER BY l.expires_at, l.purchased_at, l.id LIMIT 1)
             AND p.remaining >= p_beats
          RETURNING p.id INTO first;
          IF FOUND THEN
            allocations := jsonb_build_array(jsonb_build_object('pack', first, 'beats', p_beats));
            missing := 0;
            RETURN;
          END IF;
        END IF;
        SELECT c.allocations, c.missing INTO allocations, missing FROM beats_consume_packs(p_tenant, p_beats) c;
      END
      $$`);
    // The housekeeping sweep (0029) looks for open holds by age, across tenants.
    await runner.query(`CREATE INDEX beat_reservations_open ON beat_reservations (created_at) WHERE status = 'open'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX beat_reservations_open`);
    await runner.query(`DROP FUNCTION beats_apply(uuid, jsonb)`);
    await runner.query(`DROP FUNCTION beats_consume(uuid, integer)`);
    await runner.query(`ALTER FUNCTION beats_consume_packs(uuid, integer) RENAME TO beats_consume`);
    await runner.query(`DROP FUNCTION beats_lock_account(uuid)`);
    await runner.query(`ALTER FUNCTION beats_lock_new_account(uuid) RENAME TO beats_lock_account`);
  }
}
