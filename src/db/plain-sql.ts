import type { EntityManager, EntityMetadata, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';

/** A column value a WHERE can compare with `=` as it is; anything else (null, operators, arrays) is TypeORM's to read. */
type Plain = string | number | boolean | bigint | Date;

function isPlain(value: unknown): value is Plain {
  return ['string', 'number', 'boolean', 'bigint'].includes(typeof value) || value instanceof Date;
}

export interface PlainOrder {
  [property: string]: 'ASC' | 'DESC';
}

/**
 * Parameterised SQL for the equality finds, inserts and updates the runtime makes at every step,
 * built straight from the entity's metadata. TypeORM's find/save/update build the same statements
 * through its query builder, which was a sixth of a process start's CPU. Every method answers
 * `undefined` when its input is beyond plain equality (null, FindOperators, unknown properties,
 * options other than order and take), and the caller goes through TypeORM as before, so both paths
 * behave the same — including TypeORM's errors. Values go through the driver's own conversions
 * (transformers, jsonb, dates) both ways. It does not scope anything: TenantScopedRepository hands
 * it a `where` that already names the tenant.
 */
export class PlainSql<T extends ObjectLiteral> {
  private readonly table: string;
  private readonly byProperty = new Map<string, ColumnMetadata>();
  private readonly selectList: string;
  /** TypeORM's update also sets these; entities that have them take its path. */
  private readonly updatable: boolean;
  /**
   * A key the caller supplies makes TypeORM's save an upsert (it reads the row first), and it sets a
   * version column itself: such inserts take its path.
   */
  private readonly insertable: boolean;

  constructor(private readonly metadata: EntityMetadata) {
    const escape = (name: string) => metadata.connection.driver.escape(name);
    this.table = metadata.schema ? `${escape(metadata.schema)}.${escape(metadata.tableName)}` : escape(metadata.tableName);
    for (const column of metadata.columns) this.byProperty.set(column.propertyPath, column);
    this.selectList = metadata.columns.map((column) => escape(column.databaseName)).join(', ');
    this.updatable = !metadata.updateDateColumn && !metadata.versionColumn;
    this.insertable = !metadata.versionColumn && metadata.primaryColumns.every((column) => column.isGenerated);
  }

  /**
   * Whether the entity is a flat one this class can read and write: no relations, embeddeds, virtual or
   * unselected columns, and no entity listeners or subscribers (which only TypeORM's own paths call).
   */
  static fits(metadata: EntityMetadata): boolean {
    return (
      metadata.relations.length === 0 &&
      metadata.listeners.length === 0 &&
      metadata.connection.subscribers.length === 0 &&
      metadata.embeddeds.length === 0 &&
      metadata.columns.every((column) => column.isSelect && !column.isVirtual && !column.isVirtualProperty && !column.relationMetadata)
    );
  }

  async find(
    manager: EntityManager,
    where: ObjectLiteral,
    options: { order?: PlainOrder; take?: number } & ObjectLiteral,
  ): Promise<T[] | undefined> {
    const { order, take, ...rest } = options;
    if (Object.keys(rest).length > 0) return undefined;
    const params: unknown[] = [];
    const conditions = this.conditions(where, params);
    if (conditions === undefined) return undefined;
    let sql = `SELECT ${this.selectList} FROM ${this.table} WHERE ${conditions}`;
    if (order && Object.keys(order).length > 0) {
      const terms: string[] = [];
      for (const [property, direction] of Object.entries(order)) {
        const column = this.byProperty.get(property);
        if (!column || (direction !== 'ASC' && direction !== 'DESC')) return undefined;
        terms.push(`${this.escape(column.databaseName)} ${direction}`);
      }
      sql += ` ORDER BY ${terms.join(', ')}`;
    }
    if (take !== undefined) {
      if (!Number.isSafeInteger(take) || take < 0) return undefined;
      sql += ` LIMIT ${take}`;
    }
    const rows = await manager.query<ObjectLiteral[]>(sql, params);
    return rows.map((row) => this.hydrate(row));
  }

  /** The inserted row as the database has it (defaults included); undefined: TypeORM inserts it. */
  async insert(manager: EntityManager, values: ObjectLiteral): Promise<T | undefined> {
    if (!this.insertable || this.metadata.primaryColumns.some((column) => values[column.propertyPath] !== undefined)) return undefined;
    const names: string[] = [];
    const params: unknown[] = [];
    for (const [property, value] of Object.entries(values)) {
      // Left out, as TypeORM leaves it out: the column's default applies.
      if (value === undefined) continue;
      const column = this.byProperty.get(property);
      if (!column?.isInsert) return undefined;
      names.push(this.escape(column.databaseName));
      params.push(this.persistent(value, column));
    }
    const placeholders = params.map((_value, index) => `$${index + 1}`).join(', ');
    const sql = `INSERT INTO ${this.table} (${names.join(', ')}) VALUES (${placeholders}) RETURNING ${this.selectList}`;
    const [row] = await manager.query<ObjectLiteral[]>(sql, params);
    return this.hydrate(row!);
  }

  /**
   * The INSERT of `rows` as text, its values appended to `params` (placeholders numbered after those
   * already there), for a statement that holds several (insert-together.ts). The keys given are
   * inserted as they are — no upsert — and a property a row leaves undefined takes the column's default.
   * Undefined when a property is not an insertable column.
   */
  insertion(rows: readonly ObjectLiteral[], params: unknown[]): string | undefined {
    const columns: ColumnMetadata[] = [];
    for (const row of rows) {
      for (const [property, value] of Object.entries(row)) {
        if (value === undefined) continue;
        const column = this.byProperty.get(property);
        if (!column?.isInsert) return undefined;
        if (!columns.includes(column)) columns.push(column);
      }
    }
    const tuples = rows.map((row) => {
      const values = columns.map((column) => {
        const value: unknown = row[column.propertyPath];
        if (value === undefined) return 'DEFAULT';
        params.push(this.persistent(value, column));
        return `$${params.length}`;
      });
      return `(${values.join(', ')})`;
    });
    const names = columns.map((column) => this.escape(column.databaseName)).join(', ');
    return `INSERT INTO ${this.table} (${names}) VALUES ${tuples.join(', ')}`;
  }

  /** How many rows matched; undefined: TypeORM updates them. */
  async update(manager: EntityManager, where: ObjectLiteral, patch: ObjectLiteral): Promise<number | undefined> {
    if (!this.updatable) return undefined;
    const params: unknown[] = [];
    const assignments: string[] = [];
    for (const [property, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      const column = this.byProperty.get(property);
      if (!column?.isUpdate || typeof value === 'function') return undefined;
      params.push(this.persistent(value, column));
      assignments.push(`${this.escape(column.databaseName)} = $${params.length}`);
    }
    if (assignments.length === 0) return undefined;
    const conditions = this.conditions(where, params);
    if (conditions === undefined) return undefined;
    // node-postgres answers an UPDATE with [rows, rowCount] through TypeORM's query().
    const result = await manager.query<[unknown[], number]>(
      `UPDATE ${this.table} SET ${assignments.join(', ')} WHERE ${conditions}`,
      params,
    );
    return result[1];
  }

  private conditions(where: ObjectLiteral, params: unknown[]): string | undefined {
    const terms: string[] = [];
    for (const [property, value] of Object.entries(where)) {
      const column = this.byProperty.get(property);
      if (!column || !isPlain(value)) return undefined;
      params.push(this.persistent(value, column));
      terms.push(`${this.escape(column.databaseName)} = $${params.length}`);
    }
    return terms.length > 0 ? terms.join(' AND ') : undefined;
  }

  private persistent(value: unknown, column: ColumnMetadata): unknown {
    return this.metadata.connection.driver.preparePersistentValue(value, column);
  }

  private hydrate(row: ObjectLiteral): T {
    const entity = this.metadata.create() as T;
    for (const column of this.metadata.columns) {
      column.setEntityValue(entity, this.metadata.connection.driver.prepareHydratedValue(row[column.databaseName], column));
    }
    return entity;
  }

  private escape(name: string): string {
    return this.metadata.connection.driver.escape(name);
  }
}
