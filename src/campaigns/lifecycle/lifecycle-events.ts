import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TenantScopedRepository } from '../../db/tenant-scoped.repository.js';
import { CampaignLifecycleEvent } from './lifecycle-event.entity.js';

/** The campaign_lifecycle_events table, tenant-scoped. */
@Injectable()
export class LifecycleEventRepository extends TenantScopedRepository<CampaignLifecycleEvent> {
  constructor(dataSource: DataSource) {
    super(dataSource, CampaignLifecycleEvent);
  }
}
