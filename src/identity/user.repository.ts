import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TenantScopedRepository } from '../db/tenant-scoped.repository.js';
import { User } from './user.entity.js';

@Injectable()
export class UserRepository extends TenantScopedRepository<User> {
  constructor(dataSource: DataSource) {
    super(dataSource, User);
  }

  findByEmail(email: string): Promise<User | null> {
    return this.findOne({ email: email.trim().toLowerCase() });
  }
}
