import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, LessThan } from 'typeorm';
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

  /** Records a TOTP time step as used unless it (or a later one) already was: one statement, so races lose. */
  async spendTotpStep(id: string, step: number): Promise<boolean> {
    return (
      (await this.update(
        [
          { id, totpLastStep: IsNull() },
          { id, totpLastStep: LessThan(String(step)) },
        ],
        { totpLastStep: String(step) },
      )) === 1
    );
  }
}
