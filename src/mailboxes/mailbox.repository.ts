import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TenantScopedRepository } from '../db/tenant-scoped.repository.js';
import { Mailbox, MailboxOffice } from './mailbox.entity.js';

@Injectable()
export class MailboxRepository extends TenantScopedRepository<Mailbox> {
  constructor(dataSource: DataSource) {
    super(dataSource, Mailbox);
  }
}

@Injectable()
export class MailboxOfficeRepository extends TenantScopedRepository<MailboxOffice> {
  constructor(dataSource: DataSource) {
    super(dataSource, MailboxOffice);
  }
}
