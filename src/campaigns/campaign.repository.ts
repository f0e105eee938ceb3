import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TenantScopedRepository } from '../db/tenant-scoped.repository.js';
import { Campaign, CampaignFile, CampaignRecipient } from './campaign.entities.js';

@Injectable()
export class CampaignRepository extends TenantScopedRepository<Campaign> {
  constructor(dataSource: DataSource) {
    super(dataSource, Campaign);
  }
}

@Injectable()
export class CampaignRecipientRepository extends TenantScopedRepository<CampaignRecipient> {
  constructor(dataSource: DataSource) {
    super(dataSource, CampaignRecipient);
  }
}

@Injectable()
export class CampaignFileRepository extends TenantScopedRepository<CampaignFile> {
  constructor(dataSource: DataSource) {
    super(dataSource, CampaignFile);
  }
}
