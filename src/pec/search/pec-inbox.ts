import { Injectable } from '@nestjs/common';
import { DataSource, type SelectQueryBuilder } from 'typeorm';
import type { Principal } from '../../access/principal.js';
import { Visibility } from '../../access/visibility.js';
import { TenantContext } from '../../db/tenant-context.js';
import { decodeCursor, encodeCursor } from './inbox-cursor.js';
import type { InboxFilter, InboxItem, InboxPage, InboxQuery } from './inbox-query.js';

/** Beyond this the total is not counted exactly: a list's count must not cost a scan of the workspace. */
const COUNT_CAP = 1_000;

interface InboxRow {
  id: string;
  mailbox_id: string;
  entry: 'message' | 'receipt';
  direction: 'in' | 'out';
  kind: string;
  status: string;
  subject: string;
  from_address: string;
  to_addresses: string[];
  cc_addresses: string[];
  receipt_type: InboxItem['receiptType'];
  message_id: string;
  provider_id: string | null;
  related_id: string | null;
  at: Date;
  sent_at: Date | null;
  /** `at` with its microseconds, which a JavaScript Date would lose: the cursor must be exact. */
  cursor_at: string;
}

/** A row to export: enough to find and unseal its source. */
export interface InboxKey {
  id: string;
  entry: 'message' | 'receipt';
  mailboxId: string;
  messageId: string;
  subject: string;
  from: string;
  at: Date;
}

/**
 * The unified inbox (issue #5 items 7 and 10): the `pec_inbox` view, messages sent and received plus
 * the receipts read, of every mailbox the caller sees, filtered and searched (docs/decisions/0020).
 * Newest first, keyset-paged on (at, id): a page boundary does not move when messages arrive.
 */
@Injectable()
export class PecInbox {
  constructor(
    private readonly dataSource: DataSource,
    private readonly visibility: Visibility,
  ) {}

  async list(principal: Principal, query: InboxQuery): Promise<InboxPage> {
    const builder = await this.filtered(principal, query);
    const count = await this.dataSource
      .createQueryBuilder()
      .select('count(*)::int', 'n')
      .from(
        `(${builder
          .clone()
          .select('1')
          .limit(COUNT_CAP + 1)
          .getQuery()})`,
        'c',
      )
      .setParameters(builder.getParameters())
      .getRawOne<{ n: number }>();
    const n = count?.n ?? 0;
    const offset = query.cursor ? 0 : (query.page - 1) * query.pageSize;
    const rows = await this.page(this.ordered(builder, query.cursor), query.pageSize + 1, offset, n <= COUNT_CAP);
    const items = rows.slice(0, query.pageSize);
    const last = items.at(-1);
    return {
      items: items.map(inboxItem),
      total: Math.min(n, COUNT_CAP),
      totalCapped: n > COUNT_CAP,
      page: query.cursor ? 1 : query.page,
      pageSize: query.pageSize,
      nextCursor: rows.length > query.pageSize && last ? encodeCursor(last.cursor_at, last.id) : null,
    };
  }

  /**
   * One page, newest first. Few matches (the count says so): all of them first, then sorted. Walking
   * the (tenant, at) index and testing each row finds a page of a common word at once, but reads the
   * whole workspace for a rare one (5 s over a million rows), and PostgreSQL cannot tell the two apart
   * beforehand; the count, which the GIN index answers, can.
   */
  private async page(ordered: SelectQueryBuilder<InboxRow>, limit: number, offset: number, few: boolean): Promise<InboxRow[]> {
    if (!few) return ordered.limit(limit).offset(offset).getRawMany<InboxRow>();
    const [sql, parameters] = ordered.getQueryAndParameters() as [string, unknown[]];
    const n = parameters.length;
    return this.dataSource.query<InboxRow[]>(
      `WITH hits AS MATERIALIZED (${sql}) SELECT * FROM hits ORDER BY at DESC, id DESC LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...parameters, limit, offset],
    );
  }

  /** Every row matching the filter (or the given ids), newest first, a batch at a time: exports never hold a whole mailbox. */
  async *keys(principal: Principal, filter: InboxFilter, ids?: string[]): AsyncGenerator<InboxKey> {
    let cursor: string | undefined;
    for (;;) {
      const builder = await this.filtered(principal, filter);
      if (ids) builder.andWhere('m.id = ANY(:ids)', { ids });
      const rows = await this.ordered(builder, cursor).limit(100).getRawMany<InboxRow>();
      for (const row of rows)
        yield {
          id: row.id,
          entry: row.entry,
          mailboxId: row.mailbox_id,
          messageId: row.message_id,
          subject: row.subject,
          from: row.from_address,
          at: row.at,
        };
      if (rows.length < 100) return;
      const last = rows.at(-1)!;
      cursor = encodeCursor(last.cursor_at, last.id);
    }
  }

  /** The tenant's rows of the view the caller sees, filtered; the view is tenant-owned data like its tables. */
  private async filtered(principal: Principal, filter: InboxFilter): Promise<SelectQueryBuilder<InboxRow>> {
    const builder = this.dataSource
      .createQueryBuilder()
      .from('pec_inbox', 'm')
      .where('m.tenant_id = :scopeTenantId', { scopeTenantId: TenantContext.current().tenantId }) as SelectQueryBuilder<InboxRow>;
    if (filter.entry !== 'all') builder.andWhere('m.entry = :entry', { entry: filter.entry });
    if (filter.mailboxId) builder.andWhere('m.mailbox_id = :mailboxId', { mailboxId: filter.mailboxId });
    if (filter.direction) builder.andWhere('m.direction = :direction', { direction: filter.direction });
    if (filter.kind?.length) whereOneOf(builder, 'm.kind', 'kinds', filter.kind);
    if (filter.status?.length) whereOneOf(builder, 'm.status', 'statuses', filter.status);
    if (filter.sender) builder.andWhere('m.from_address = :sender', { sender: filter.sender });
    if (filter.recipient)
      builder.andWhere('(:recipient = ANY(m.to_addresses) OR :recipient = ANY(m.cc_addresses))', { recipient: filter.recipient });
    if (filter.since) builder.andWhere('m.at >= :since', { since: filter.since });
    if (filter.until) builder.andWhere('m.at < :until', { until: filter.until });
    if (filter.q) builder.andWhere("m.search @@ websearch_to_tsquery('pg_catalog.italian', :q)", { q: filter.q });
    return this.visibility.restrict(builder, 'm', 'pec-message', 'see', principal);
  }

  private ordered(builder: SelectQueryBuilder<InboxRow>, cursor: string | undefined): SelectQueryBuilder<InboxRow> {
    const page = builder
      .clone()
      .select([
        'm.id AS id',
        'm.mailbox_id AS mailbox_id',
        'm.entry AS entry',
        'm.direction AS direction',
        'm.kind AS kind',
        'm.status AS status',
        'm.subject AS subject',
        'm.from_address AS from_address',
        'm.to_addresses AS to_addresses',
        'm.cc_addresses AS cc_addresses',
        'm.receipt_type AS receipt_type',
        'm.message_id AS message_id',
        'm.provider_id AS provider_id',
        'm.related_id AS related_id',
        'm.at AS at',
        'm.sent_at AS sent_at',
        `to_char(m.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at`,
      ])
      .orderBy('m.at', 'DESC')
      .addOrderBy('m.id', 'DESC');
    if (cursor) {
      // The schema refused any cursor that does not decode.
      const [at, id] = decodeCursor(cursor)!;
      page.andWhere('(m.at, m.id) < (:cursorAt::timestamptz, :cursorId::uuid)', { cursorAt: at, cursorId: id });
    }
    return page;
  }
}

/**
 * `column = :name` for one value, `= ANY(:name)` for several: PostgreSQL 15 walks an index on
 * `(tenant, column, at)` newest first only for an equality, and one status or one kind is the common case.
 */
function whereOneOf(builder: SelectQueryBuilder<InboxRow>, column: string, name: string, values: string[]): void {
  if (values.length === 1) builder.andWhere(`${column} = :${name}`, { [name]: values[0] });
  else builder.andWhere(`${column} = ANY(:${name})`, { [name]: values });
}

function inboxItem(row: InboxRow): InboxItem {
  return {
    id: row.id,
    mailboxId: row.mailbox_id,
    entry: row.entry,
    direction: row.direction,
    kind: row.kind,
    status: row.status,
    subject: row.subject,
    from: row.from_address,
    to: row.to_addresses,
    cc: row.cc_addresses,
    receiptType: row.receipt_type,
    messageId: row.message_id,
    providerId: row.provider_id,
    relatedId: row.related_id,
    createdAt: row.at.toISOString(),
    sentAt: row.sent_at?.toISOString() ?? null,
  };
}
