import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The beats meter (docs/decisions/0022-beats-ledger.md): prepaid packs, an append-only ledger of every
 * movement, open reservations, and one account row per tenant whose lock makes the tenant's movements
 * take turns. Every movement is one call of a function below, so each is a single statement for the
 * application: it cannot leave half of a debit behind, and no application lock is involved.
 */
export class BeatsLedger1766400000000 implements MigrationInterface {
  name = 'BeatsLedger1766400000000';

  async up(runner: QueryRunner): Promise<void> {
    // One row per tenant, created on first use. `reserved`: beats held by open reservations;
    // `overdraft`: beats consumed without credit (incoming PEC is never refused), covered by the next pack.
    await runner.query(`
      CREATE TABLE beat_accounts (
        tenant_id uuid PRIMARY KEY REFERENCES tenants(id),
        reserved bigint NOT NULL DEFAULT 0 CHECK (reserved >= 0),
        overdraft bigint NOT NULL DEFAULT 0 CHECK (overdraft >= 0)
      )`);
    // `remaining` is kept by the same function call that writes the ledger entry consuming it.
    await runner.query(`
      CREATE TABLE beat_packs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        beats integer NOT NULL CHECK (beats > 0),
        remaining integer NOT NULL CHECK (remaining BETWEEN 0 AND beats),
        purchased_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        contract text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (expires_at > purchased_at)
      )`);
    await runner.query(`CREATE INDEX beat_packs_live ON beat_packs (tenant_id, expires_at) WHERE remaining > 0`);
    await runner.query(`
      CREATE TABLE beat_reservations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        idempotency_key text NOT NULL,
        plug text,
        beats integer NOT NULL CHECK (beats > 0),
        held integer NOT NULL CHECK (held BETWEEN 0 AND beats),
        user_id uuid,
        campaign_id uuid,
        subject_type text,
        subject_id text,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
        created_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz,
        CONSTRAINT beat_reservations_once UNIQUE (tenant_id, idempotency_key)
      )`);
    // No foreign keys on user_id / campaign_id: the ledger outlives users and campaigns.
    await runner.query(`
      CREATE TABLE beat_ledger (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        kind text NOT NULL CHECK (kind IN ('credit', 'debit', 'reservation', 'release')),
        plug text,
        units integer NOT NULL DEFAULT 0 CHECK (units >= 0),
        beats integer NOT NULL CHECK (beats >= 0),
        overdraft integer NOT NULL DEFAULT 0 CHECK (overdraft BETWEEN 0 AND beats),
        user_id uuid,
        campaign_id uuid,
        subject_type text,
        subject_id text,
        idempotency_key text NOT NULL,
        pack_id uuid REFERENCES beat_packs(id),
        reservation_id uuid REFERENCES beat_reservations(id),
        details jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(details) = 'object'),
        CHECK ((subject_type IS NULL) = (subject_id IS NULL)),
        CHECK (kind <> 'credit' OR pack_id IS NOT NULL),
        CHECK (kind NOT IN ('reservation', 'release') OR reservation_id IS NOT NULL),
        CHECK (kind = 'debit' OR overdraft = 0)
      )`);
    // A retried call with the same key is charged once: the function finds the entry, and this index
    // refuses a second one even if something bypassed the function.
    await runner.query(`CREATE UNIQUE INDEX beat_ledger_once ON beat_ledger (tenant_id, kind, idempotency_key)`);
    // Usage reports: by period, then grouped by plug, user, campaign.
    await runner.query(`CREATE INDEX beat_ledger_tenant_created ON beat_ledger (tenant_id, created_at)`);
    await runner.query(`
      CREATE FUNCTION beat_ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'beat_ledger is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await runner.query(`
      CREATE TRIGGER beat_ledger_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON beat_ledger
      FOR EACH STATEMENT EXECUTE FUNCTION beat_ledger_refuse_change()`);

    // Locks the tenant's account row (creating it on first use): every movement of one tenant takes
    // its turn here, so what a function reads after this line no concurrent movement can change.
    await runner.query(`
      CREATE FUNCTION beats_lock_account(p_tenant uuid) RETURNS beat_accounts LANGUAGE plpgsql AS $$
      DECLARE account beat_accounts;
      BEGIN
        INSERT INTO beat_accounts (tenant_id) VALUES (p_tenant) ON CONFLICT DO NOTHING;
        SELECT * INTO account FROM beat_accounts WHERE tenant_id = p_tenant FOR UPDATE;
        RETURN account;
      END
      $$`);
    // Live credit: what unexpired packs have left. Balance = live − overdraft; available = balance − reserved.
    await runner.query(`
      CREATE FUNCTION beats_live(p_tenant uuid) RETURNS bigint LANGUAGE sql STABLE AS $$
        SELECT coalesce(sum(remaining), 0)::bigint FROM beat_packs
         WHERE tenant_id = p_tenant AND remaining > 0 AND expires_at > now()
      $$`);
    // Takes p_beats from the unexpired packs, earliest expiry first; answers what it took from each
    // pack and what it could not take (only ever > 0 when the caller allowed an overdraft).
    await runner.query(`
      CREATE FUNCTION beats_consume(p_tenant uuid, p_beats integer, OUT allocations jsonb, OUT missing integer)
      LANGUAGE plpgsql AS $$
      DECLARE pack record; take integer;
      BEGIN
        allocations := '[]'::jsonb;
        missing := p_beats;
        FOR pack IN SELECT id, remaining FROM beat_packs
                     WHERE tenant_id = p_tenant AND remaining > 0 AND expires_at > now()
                     ORDER BY expires_at, purchased_at, id LOOP
          EXIT WHEN missing = 0;
          take := least(missing, pack.remaining);
          UPDATE beat_packs SET remaining = remaining - take WHERE id = pack.id;
          allocations := allocations || jsonb_build_object('pack', pack.id, 'beats', take);
          missing := missing - take;
        END LOOP;
      END
      $$`);

    // A pack bought: it first covers any overdraft, the rest is credit. Idempotent by key.
    await runner.query(`
      CREATE FUNCTION beats_add_pack(p_tenant uuid, p_key text, p_beats integer, p_purchased timestamptz,
                                     p_expires timestamptz, p_contract text, p_user uuid)
      RETURNS TABLE (outcome text, entry_id uuid, pack_id uuid, covered bigint) LANGUAGE plpgsql AS $$
      DECLARE account beat_accounts; done beat_ledger; cover integer; new_pack uuid; entry uuid;
      BEGIN
        account := beats_lock_account(p_tenant);
        SELECT * INTO done FROM beat_ledger l WHERE l.tenant_id = p_tenant AND l.kind = 'credit' AND l.idempotency_key = p_key;
        IF FOUND THEN
          RETURN QUERY SELECT 'duplicate'::text, done.id, done.pack_id, 0::bigint; RETURN;
        END IF;
        cover := least(account.overdraft, p_beats);
        INSERT INTO beat_packs (tenant_id, beats, remaining, purchased_at, expires_at, contract)
             VALUES (p_tenant, p_beats, p_beats - cover, p_purchased, p_expires, p_contract) RETURNING id INTO new_pack;
        UPDATE beat_accounts SET overdraft = overdraft - cover WHERE tenant_id = p_tenant;
        INSERT INTO beat_ledger (tenant_id, kind, units, beats, user_id, idempotency_key, pack_id, details)
             VALUES (p_tenant, 'credit', 1, p_beats, p_user, p_key, new_pack,
                     jsonb_build_object('expiresAt', p_expires, 'coveredOverdraft', cover))
          RETURNING id INTO entry;
        RETURN QUERY SELECT 'added'::text, entry, new_pack, cover::bigint;
      END
      $$`);

    // A charged call. Refused ('insufficient', with the shortfall) when the available beats do not
    // cover it, unless p_overdraft (incoming PEC) or it spends an open reservation (p_reservation).
    await runner.query(`
      CREATE FUNCTION beats_debit(p_tenant uuid, p_key text, p_plug text, p_units integer, p_beats integer,
                                  p_user uuid, p_campaign uuid, p_subject_type text, p_subject_id text,
                                  p_overdraft boolean, p_reservation uuid)
      RETURNS TABLE (outcome text, entry_id uuid, shortfall bigint, overdraft integer) LANGUAGE plpgsql AS $$
      DECLARE account beat_accounts; done beat_ledger; hold beat_reservations; available bigint;
              taken record; entry uuid;
      BEGIN
        account := beats_lock_account(p_tenant);
        SELECT * INTO done FROM beat_ledger l WHERE l.tenant_id = p_tenant AND l.kind = 'debit' AND l.idempotency_key = p_key;
        IF FOUND THEN
          RETURN QUERY SELECT 'duplicate'::text, done.id, 0::bigint, done.overdraft; RETURN;
        END IF;
        IF p_reservation IS NOT NULL THEN
          SELECT * INTO hold FROM beat_reservations r WHERE r.id = p_reservation AND r.tenant_id = p_tenant FOR UPDATE;
          IF NOT FOUND OR hold.status <> 'open' OR hold.held < p_beats THEN
            RETURN QUERY SELECT 'not-reserved'::text, NULL::uuid, (p_beats - coalesce(hold.held, 0))::bigint, 0; RETURN;
          END IF;
          -- Spending all it holds closes it: a call's reservation needs no release of its own.
          UPDATE beat_reservations r SET held = r.held - p_beats,
                 status = CASE WHEN r.held = p_beats THEN 'closed' ELSE 'open' END,
                 closed_at = CASE WHEN r.held = p_beats THEN now() END
           WHERE r.id = p_reservation;
          UPDATE beat_accounts SET reserved = reserved - p_beats WHERE tenant_id = p_tenant;
        ELSIF NOT p_overdraft THEN
          available := beats_live(p_tenant) - account.overdraft - account.reserved;
          IF available < p_beats THEN
            RETURN QUERY SELECT 'insufficient'::text, NULL::uuid, (p_beats - greatest(available, 0))::bigint, 0; RETURN;
          END IF;
        END IF;
        SELECT * INTO taken FROM beats_consume(p_tenant, p_beats);
        IF taken.missing > 0 THEN
          UPDATE beat_accounts a SET overdraft = a.overdraft + taken.missing WHERE a.tenant_id = p_tenant;
        END IF;
        INSERT INTO beat_ledger (tenant_id, kind, plug, units, beats, overdraft, user_id, campaign_id,
                                 subject_type, subject_id, idempotency_key, reservation_id, details)
             VALUES (p_tenant, 'debit', coalesce(p_plug, hold.plug), p_units, p_beats, taken.missing,
                     coalesce(p_user, hold.user_id), coalesce(p_campaign, hold.campaign_id),
                     coalesce(p_subject_type, hold.subject_type), coalesce(p_subject_id, hold.subject_id),
                     p_key, p_reservation, jsonb_build_object('packs', taken.allocations))
          RETURNING id INTO entry;
        RETURN QUERY SELECT 'charged'::text, entry, 0::bigint, taken.missing;
      END
      $$`);

    // Holds beats for a long operation; refused at once ('insufficient') when they are not available.
    await runner.query(`
      CREATE FUNCTION beats_reserve(p_tenant uuid, p_key text, p_plug text, p_units integer, p_beats integer,
                                    p_user uuid, p_campaign uuid, p_subject_type text, p_subject_id text)
      RETURNS TABLE (outcome text, reservation_id uuid, shortfall bigint) LANGUAGE plpgsql AS $$
      DECLARE account beat_accounts; known uuid; available bigint; hold uuid;
      BEGIN
        account := beats_lock_account(p_tenant);
        SELECT r.id INTO known FROM beat_reservations r WHERE r.tenant_id = p_tenant AND r.idempotency_key = p_key;
        IF FOUND THEN
          RETURN QUERY SELECT 'duplicate'::text, known, 0::bigint; RETURN;
        END IF;
        available := beats_live(p_tenant) - account.overdraft - account.reserved;
        IF available < p_beats THEN
          RETURN QUERY SELECT 'insufficient'::text, NULL::uuid, (p_beats - greatest(available, 0))::bigint; RETURN;
        END IF;
        INSERT INTO beat_reservations (tenant_id, idempotency_key, plug, beats, held, user_id, campaign_id, subject_type, subject_id)
             VALUES (p_tenant, p_key, p_plug, p_beats, p_beats, p_user, p_campaign, p_subject_type, p_subject_id)
          RETURNING id INTO hold;
        UPDATE beat_accounts SET reserved = reserved + p_beats WHERE tenant_id = p_tenant;
        INSERT INTO beat_ledger (tenant_id, kind, plug, units, beats, user_id, campaign_id, subject_type, subject_id,
                                 idempotency_key, reservation_id)
             VALUES (p_tenant, 'reservation', p_plug, p_units, p_beats, p_user, p_campaign, p_subject_type, p_subject_id,
                     p_key, hold);
        RETURN QUERY SELECT 'reserved'::text, hold, 0::bigint;
      END
      $$`);

    // Closes a reservation and gives back what it still held (cancelled, finished, or the call failed).
    await runner.query(`
      CREATE FUNCTION beats_release(p_tenant uuid, p_reservation uuid)
      RETURNS TABLE (outcome text, entry_id uuid, released bigint) LANGUAGE plpgsql AS $$
      DECLARE hold beat_reservations; entry uuid;
      BEGIN
        PERFORM beats_lock_account(p_tenant);
        SELECT * INTO hold FROM beat_reservations r WHERE r.id = p_reservation AND r.tenant_id = p_tenant FOR UPDATE;
        IF NOT FOUND THEN
          RETURN QUERY SELECT 'unknown'::text, NULL::uuid, 0::bigint; RETURN;
        END IF;
        IF hold.status = 'closed' THEN
          RETURN QUERY SELECT 'duplicate'::text, NULL::uuid, 0::bigint; RETURN;
        END IF;
        UPDATE beat_reservations SET held = 0, status = 'closed', closed_at = now() WHERE id = p_reservation;
        UPDATE beat_accounts SET reserved = reserved - hold.held WHERE tenant_id = p_tenant;
        INSERT INTO beat_ledger (tenant_id, kind, plug, units, beats, user_id, campaign_id, subject_type, subject_id,
                                 idempotency_key, reservation_id)
             VALUES (p_tenant, 'release', hold.plug, 0, hold.held, hold.user_id, hold.campaign_id, hold.subject_type,
                     hold.subject_id, hold.idempotency_key, p_reservation)
          RETURNING id INTO entry;
        RETURN QUERY SELECT 'released'::text, entry, hold.held::bigint;
      END
      $$`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION beats_release(uuid, uuid)`);
    await runner.query(`DROP FUNCTION beats_reserve(uuid, text, text, integer, integer, uuid, uuid, text, text)`);
    await runner.query(`DROP FUNCTION beats_debit(uuid, text, text, integer, integer, uuid, uuid, text, text, boolean, uuid)`);
    await runner.query(`DROP FUNCTION beats_add_pack(uuid, text, integer, timestamptz, timestamptz, text, uuid)`);
    await runner.query(`DROP FUNCTION beats_consume(uuid, integer)`);
    await runner.query(`DROP FUNCTION beats_live(uuid)`);
    await runner.query(`DROP FUNCTION beats_lock_account(uuid)`);
    await runner.query(`DROP TABLE beat_ledger`);
    await runner.query(`DROP FUNCTION beat_ledger_refuse_change()`);
    await runner.query(`DROP TABLE beat_reservations`);
    await runner.query(`DROP TABLE beat_packs`);
    await runner.query(`DROP TABLE beat_accounts`);
  }
}
