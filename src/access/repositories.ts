import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TenantScopedRepository } from '../db/tenant-scoped.repository.js';
import { Group, GroupMember } from './group.entity.js';
import { Membership } from './membership.entity.js';
import { Office } from './office.entity.js';
import { Role } from './role.entity.js';

@Injectable()
export class OfficeRepository extends TenantScopedRepository<Office> {
  constructor(dataSource: DataSource) {
    super(dataSource, Office);
  }
}

@Injectable()
export class RoleRepository extends TenantScopedRepository<Role> {
  constructor(dataSource: DataSource) {
    super(dataSource, Role);
  }
}

@Injectable()
export class MembershipRepository extends TenantScopedRepository<Membership> {
  constructor(dataSource: DataSource) {
    super(dataSource, Membership);
  }
}

@Injectable()
export class GroupRepository extends TenantScopedRepository<Group> {
  constructor(dataSource: DataSource) {
    super(dataSource, Group);
  }
}

@Injectable()
export class GroupMemberRepository extends TenantScopedRepository<GroupMember> {
  constructor(dataSource: DataSource) {
    super(dataSource, GroupMember);
  }
}
