import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TenantScopedRepository } from '../db/tenant-scoped.repository.js';
import { Session } from './session.entity.js';

@Injectable()
export class SessionRepository extends TenantScopedRepository<Session> {
  constructor(dataSource: DataSource) {
    super(dataSource, Session);
  }
}
