import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TenantScopedRepository } from '../db/tenant-scoped.repository.js';
import { PasswordReset } from './password-reset.entity.js';

@Injectable()
export class PasswordResetRepository extends TenantScopedRepository<PasswordReset> {
  constructor(dataSource: DataSource) {
    super(dataSource, PasswordReset);
  }
}
