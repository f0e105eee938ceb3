import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TenantContext } from '../../db/tenant-context.js';
import { SecretBox } from '../../secrets/secret-box.js';
import { IntakeMeter, type AfterIntakeCommit } from './intake-meter.js';

/** A message as fetched from the server: its UID and full RFC 822 source. */
export interface FetchedMessage {
  uid: number;
  source: Buffer;
  internalDate?: Date;
}

/** A row the batch created (a message already recorded creates none). */
export interface RecordedMessage {
  id: string;
  size: number;
  /** A PEC receipt (top-level X-Ricevuta): receipts are free. */
  receipt: boolean;
}

/** Whether the source's top-level header block carries X-Ricevuta (pec-protocol.md §2), read without parsing the body. */
export function isReceipt(source: Buffer): boolean {
  const head = source
    .subarray(0, 65_536)
    .toString('latin1')
    .split(/\r?\n\r?\n/, 1)[0]!;
  return /^x-ricevuta[ \t]*:/im.test(head);
}

export interface Checkpoint {
  uidvalidity: number;
  lastUid: number;
}

/** The mailbox a reader works on (its tenant is the current TenantContext). */
export interface IntakeMailbox {
  id: string;
  address: string;
}

/** The context a row's source is sealed under: copied onto another row, it does not open. */
export const sourceContext = (id: string): string => `pec-inbound:${id}`;

/**
 * The exactly-once core. A batch of fetched messages and the checkpoint that covers them commit in
 * one transaction, and the UNIQUE (mailbox, uidvalidity, uid) makes a second writer (a worker that
 * lost its lease, a replay after kill -9) a no-op. Under a new UIDVALIDITY the folder is read again
 * from UID 1; a source already recorded under an older UIDVALIDITY (same sha256, hence same
 * Message-ID and bytes) is skipped rather than recorded twice.
 */
@Injectable()
export class IntakeStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly secrets: SecretBox,
    private readonly meter: IntakeMeter,
  ) {}

  async checkpoint(mailbox: IntakeMailbox): Promise<Checkpoint | null> {
    const rows = await this.dataSource.query<{ uidvalidity: string; last_uid: string }[]>(
      `SELECT uidvalidity, last_uid FROM pec_intake_checkpoints WHERE tenant_id = $1 AND mailbox_id = $2`,
      [TenantContext.current().tenantId, mailbox.id],
    );
    const row = rows[0];
    return row ? { uidvalidity: Number(row.uidvalidity), lastUid: Number(row.last_uid) } : null;
  }

  /**
   * Records the batch, charges it (IntakeMeter, same transaction) and moves the checkpoint to `upToUid`;
   * returns the rows it created and what the meter does once that has committed.
   */
  async record(
    mailbox: IntakeMailbox,
    uidvalidity: number,
    messages: FetchedMessage[],
    upToUid: number,
  ): Promise<{ created: RecordedMessage[]; afterCommit: AfterIntakeCommit }> {
    const tenantId = TenantContext.current().tenantId;
    const hashed = messages.map((message) => ({ ...message, sha256: createHash('sha256').update(message.source).digest('hex') }));
    return this.dataSource.transaction(async (manager) => {
      // Two writers of one mailbox (a lease lost mid-batch) queue up here rather than interleave.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`pec-intake:${mailbox.id}`]);
      const known = new Set(
        (
          await manager.query<{ sha256: string }[]>(
            `SELECT sha256 FROM pec_inbound_messages WHERE tenant_id = $1 AND mailbox_id = $2 AND uidvalidity <> $3 AND sha256 = ANY($4)`,
            [tenantId, mailbox.id, uidvalidity, hashed.map((message) => message.sha256)],
          )
        ).map((row) => row.sha256),
      );
      const fresh = hashed.filter((message) => !known.has(message.sha256)).map((message) => ({ ...message, id: randomUUID() }));
      // One INSERT for the batch; the UNIQUE key makes a message another writer recorded a no-op.
      const inserted = new Set(
        fresh.length === 0
          ? []
          : (
              await manager.query<{ id: string }[]>(
                `INSERT INTO pec_inbound_messages (id, tenant_id, mailbox_id, mailbox_address, uidvalidity, uid, raw, size, sha256, received_at)
                 SELECT m.id, $1, $2, $3, $4, m.uid, m.raw, m.size, m.sha256, m.received_at
                 FROM unnest($5::uuid[], $6::bigint[], $7::bytea[], $8::integer[], $9::text[], $10::timestamptz[])
                      AS m(id, uid, raw, size, sha256, received_at)
                 ON CONFLICT (mailbox_id, uidvalidity, uid) DO NOTHING RETURNING id`,
                [
                  tenantId,
                  mailbox.id,
                  mailbox.address,
                  uidvalidity,
                  fresh.map((message) => message.id),
                  fresh.map((message) => message.uid),
                  fresh.map((message) => this.secrets.sealBytes(message.source, sourceContext(message.id))),
                  fresh.map((message) => message.source.length),
                  fresh.map((message) => message.sha256),
                  fresh.map((message) => message.internalDate ?? null),
                ],
              )
            ).map((row) => row.id),
      );
      const created = fresh
        .filter((message) => inserted.has(message.id))
        .map((message) => ({ id: message.id, size: message.source.length, receipt: isReceipt(message.source) }));
      const afterCommit = await this.meter.chargeWithin(manager, created);
      // Never backwards under the same UIDVALIDITY (a late writer); a new UIDVALIDITY starts over.
      await manager.query(
        `INSERT INTO pec_intake_checkpoints (tenant_id, mailbox_id, uidvalidity, last_uid) VALUES ($1, $2, $3, $4)
         ON CONFLICT (mailbox_id) DO UPDATE SET
           last_uid = CASE WHEN pec_intake_checkpoints.uidvalidity = EXCLUDED.uidvalidity
                           THEN GREATEST(pec_intake_checkpoints.last_uid, EXCLUDED.last_uid) ELSE EXCLUDED.last_uid END,
           uidvalidity = EXCLUDED.uidvalidity, updated_at = now()`,
        [tenantId, mailbox.id, uidvalidity, upToUid],
      );
      return { created, afterCommit };
    });
  }

  /** The rows of a mailbox (or of all mailboxes, for worker start) whose job has not finished. */
  async pending(mailboxId?: string): Promise<{ id: string; tenantId: string; slug: string }[]> {
    const rows = await this.dataSource.query<{ id: string; tenant_id: string; slug: string }[]>(
      `SELECT m.id, m.tenant_id, t.slug FROM pec_inbound_messages m JOIN tenants t ON t.id = m.tenant_id
       WHERE m.state = 'received' AND ($1::uuid IS NULL OR m.mailbox_id = $1) ORDER BY m.recorded_at`,
      [mailboxId ?? null],
    );
    return rows.map((row) => ({ id: row.id, tenantId: row.tenant_id, slug: row.slug }));
  }
}
