import type {
  DataSource,
  DeepPartial,
  EntityManager,
  EntityMetadata,
  EntityTarget,
  FindManyOptions,
  FindOptionsWhere,
  ObjectLiteral,
  Repository,
  SelectQueryBuilder,
} from 'typeorm';
import type { Insertion } from './insert-together.js';
import { PlainSql } from './plain-sql.js';
import { TenantContext } from './tenant-context.js';

/** A row that belongs to one tenant. */
export interface TenantOwned extends ObjectLiteral {
  tenantId: string;
}

type Where<T> = FindOptionsWhere<T>;

/** One PlainSql per entity, shared by every repository and transaction; null: the entity is not flat, TypeORM serves it. */
const plainSql = new WeakMap<EntityMetadata, PlainSql<ObjectLiteral> | null>();

function plainSqlOf<T extends ObjectLiteral>(metadata: EntityMetadata): PlainSql<T> | null {
  let known = plainSql.get(metadata);
  if (known === undefined) {
    known = PlainSql.fits(metadata) ? new PlainSql(metadata) : null;
    plainSql.set(metadata, known);
  }
  return known as PlainSql<T> | null;
}

/**
 * The only door to tenant-owned tables. Every read, write and query builder it hands out is
 * filtered on the tenant of the current context; callers never pass a tenant id themselves.
 */
export class TenantScopedRepository<T extends TenantOwned> {
  private readonly repository: Repository<T>;
  /** Plain equality reads and writes as parameterised SQL; the rest goes through TypeORM (plain-sql.ts). */
  private readonly plain: PlainSql<T> | null;

  constructor(
    dataSource: DataSource | EntityManager,
    private readonly entity: EntityTarget<T>,
  ) {
    this.repository = dataSource.getRepository(entity);
    this.plain = plainSqlOf<T>(this.repository.metadata);
  }

  /** The same door inside a transaction: every call runs on the transaction's connection, still tenant-filtered. */
  within(manager: EntityManager): TenantScopedRepository<T> {
    return new TenantScopedRepository(manager, this.entity);
  }

  private scoped(where: Where<T> = {}): Where<T> {
    return { ...where, tenantId: TenantContext.current().tenantId };
  }

  async find(where: Where<T> = {}, options: Omit<FindManyOptions<T>, 'where'> = {}): Promise<T[]> {
    const scoped = this.scoped(where);
    const rows = await this.plain?.find(this.repository.manager, scoped, options as ObjectLiteral);
    return rows ?? this.repository.find({ ...options, where: scoped });
  }

  async findOne(where: Where<T>): Promise<T | null> {
    const scoped = this.scoped(where);
    const rows = await this.plain?.find(this.repository.manager, scoped, { take: 1 });
    return rows ? (rows[0] ?? null) : this.repository.findOne({ where: scoped });
  }

  count(where: Where<T> = {}): Promise<number> {
    return this.repository.count({ where: this.scoped(where) });
  }

  async insert(values: Omit<DeepPartial<T>, 'tenantId'>): Promise<T> {
    const scoped = { ...values, tenantId: TenantContext.current().tenantId };
    const row = await this.plain?.insert(this.repository.manager, scoped);
    return row ?? this.repository.save(this.repository.create(scoped as DeepPartial<T>));
  }

  /** Inserts many rows in one statement (bulk imports); nothing is read back. */
  async insertMany(values: readonly Omit<DeepPartial<T>, 'tenantId'>[]): Promise<void> {
    if (values.length === 0) return;
    const tenantId = TenantContext.current().tenantId;
    await this.repository.insert(values.map((value) => ({ ...value, tenantId })) as never);
  }

  /**
   * The insert of `rows` in the current tenant, to run in one statement with others (insertTogether):
   * nothing is read back, so callers that need the rows' keys give them. Only for flat entities (PlainSql).
   */
  insertion(rows: readonly Omit<DeepPartial<T>, 'tenantId'>[]): Insertion {
    const tenantId = TenantContext.current().tenantId;
    const metadata = this.repository.metadata;
    return (params) => {
      if (rows.length === 0) return null;
      const sql = this.plain?.insertion(
        rows.map((row) => ({ ...row, tenantId })),
        params,
      );
      if (sql === undefined) throw new Error(`${metadata.name}: rows beyond plain columns cannot be inserted together`);
      return sql;
    };
  }

  /** Inserts unless a unique key (the primary key included) already holds the row: true when it inserted. Replays use it. */
  async insertOnce(values: Omit<DeepPartial<T>, 'tenantId'>): Promise<boolean> {
    const result = await this.repository
      .createQueryBuilder()
      .insert()
      .values({ ...values, tenantId: TenantContext.current().tenantId } as never)
      .orIgnore()
      .execute();
    return (result.raw as unknown[]).length > 0;
  }

  /** Updates the rows matching `where` (or any of several `where`s) in the current tenant; returns how many. */
  async update(where: Where<T> | Where<T>[], patch: Partial<Omit<T, 'tenantId'>>): Promise<number> {
    const scoped = Array.isArray(where) ? where.map((w) => this.scoped(w)) : this.scoped(where);
    const affected = Array.isArray(scoped) ? undefined : await this.plain?.update(this.repository.manager, scoped, patch);
    if (affected !== undefined) return affected;
    const result = await this.repository.update(scoped, patch as never);
    return result.affected ?? 0;
  }

  async delete(where: Where<T>): Promise<number> {
    const result = await this.repository.delete(this.scoped(where));
    return result.affected ?? 0;
  }

  /** A query builder already restricted to the current tenant; add conditions with andWhere. */
  query(alias: string): SelectQueryBuilder<T> {
    return this.repository
      .createQueryBuilder(alias)
      .where(`${alias}.tenant_id = :scopeTenantId`, { scopeTenantId: TenantContext.current().tenantId });
  }
}
