import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TenantScopedRepository } from '../db/tenant-scoped.repository.js';
import { ProcessDefinition } from './process-definition.entity.js';

@Injectable()
export class ProcessDefinitionRepository extends TenantScopedRepository<ProcessDefinition> {
  constructor(dataSource: DataSource) {
    super(dataSource, ProcessDefinition);
  }
}
