import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { TenantContext } from '../db/tenant-context.js';
import { TenantScopedRepository } from '../db/tenant-scoped.repository.js';
import { PlugEffect } from './plug-effect.entity.js';
import type { PlugOutput } from './plug.js';

@Injectable()
export class PlugEffectRepository extends TenantScopedRepository<PlugEffect> {
  constructor(dataSource: DataSource) {
    super(dataSource, PlugEffect);
  }
}

/**
 * The ledger that makes a plug's effect happen once per idempotency key. Two attempts with one key
 * wait for each other on an advisory lock; the later one finds the row and answers what the first
 * answered. The effect runs inside the ledger's transaction, so it must either be transactional
 * itself or be deduplicated by the key downstream (a queued mail's job id): a crash between the
 * effect and the commit then repeats it harmlessly.
 */
@Injectable()
export class PlugEffects {
  constructor(
    private readonly dataSource: DataSource,
    private readonly effects: PlugEffectRepository,
  ) {}

  async once(plug: string, key: string, effect: (manager: EntityManager) => Promise<PlugOutput>): Promise<PlugOutput> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`plug-effect:${TenantContext.current().tenantId}:${plug}:${key}`]);
      const ledger = this.effects.within(manager);
      const done = await ledger.findOne({ plug, idempotencyKey: key });
      if (done) return done.result;
      const result = await effect(manager);
      await ledger.insert({ plug, idempotencyKey: key, result });
      return result;
    });
  }
}
