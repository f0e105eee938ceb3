import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TenantScopedRepository } from '../db/tenant-scoped.repository.js';
import { BeatAccount, BeatLedgerEntry, BeatPack, BeatReservation } from './beats.entities.js';

// Reads only: every write goes through BeatsLedger's database functions.

@Injectable()
export class BeatPackRepository extends TenantScopedRepository<BeatPack> {
  constructor(dataSource: DataSource) {
    super(dataSource, BeatPack);
  }
}

@Injectable()
export class BeatAccountRepository extends TenantScopedRepository<BeatAccount> {
  constructor(dataSource: DataSource) {
    super(dataSource, BeatAccount);
  }
}

@Injectable()
export class BeatReservationRepository extends TenantScopedRepository<BeatReservation> {
  constructor(dataSource: DataSource) {
    super(dataSource, BeatReservation);
  }
}

@Injectable()
export class BeatLedgerRepository extends TenantScopedRepository<BeatLedgerEntry> {
  constructor(dataSource: DataSource) {
    super(dataSource, BeatLedgerEntry);
  }
}
