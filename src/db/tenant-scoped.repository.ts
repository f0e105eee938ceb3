import type {
  DataSource,
  DeepPartial,
  EntityManager,
  EntityTarget,
  FindManyOptions,
  FindOptionsWhere,
  ObjectLiteral,
  Repository,
  SelectQueryBuilder,
} from 'typeorm';
import { TenantContext } from './tenant-context.js';

/** A row that belongs to one tenant. */
export interface TenantOwned extends ObjectLiteral {
  tenantId: string;
}

type Where<T> = FindOptionsWhere<T>;

/**
 * The only door to tenant-owned tables. Every read, write and query builder it hands out is
 * filtered on the tenant of the current context; callers never pass a tenant id themselves.
 */
export class TenantScopedRepository<T extends TenantOwned> {
  private readonly repository: Repository<T>;

  constructor(
    dataSource: DataSource | EntityManager,
    private readonly entity: EntityTarget<T>,
  ) {
    this.repository = dataSource.getRepository(entity);
  }

  /** The same door inside a transaction: every call runs on the transaction's connection, still tenant-filtered. */
  within(manager: EntityManager): TenantScopedRepository<T> {
    return new TenantScopedRepository(manager, this.entity);
  }

  private scoped(where: Where<T> = {}): Where<T> {
    return { ...where, tenantId: TenantContext.current().tenantId };
  }

  find(where: Where<T> = {}, options: Omit<FindManyOptions<T>, 'where'> = {}): Promise<T[]> {
    return this.repository.find({ ...options, where: this.scoped(where) });
  }

  findOne(where: Where<T>): Promise<T | null> {
    return this.repository.findOne({ where: this.scoped(where) });
  }

  count(where: Where<T> = {}): Promise<number> {
    return this.repository.count({ where: this.scoped(where) });
  }

  async insert(values: Omit<DeepPartial<T>, 'tenantId'>): Promise<T> {
    const entity = this.repository.create({ ...values, tenantId: TenantContext.current().tenantId } as DeepPartial<T>);
    return this.repository.save(entity);
  }

  /** Updates the rows matching `where` (or any of several `where`s) in the current tenant; returns how many. */
  async update(where: Where<T> | Where<T>[], patch: Partial<Omit<T, 'tenantId'>>): Promise<number> {
    const scoped = Array.isArray(where) ? where.map((w) => this.scoped(w)) : this.scoped(where);
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
