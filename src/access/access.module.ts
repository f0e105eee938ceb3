import { Module, type OnApplicationBootstrap } from '@nestjs/common';
import { AccessPolicy } from './access-policy.js';
import { ActorDirectory } from './actors.js';
import { OfficeTreeLoader } from './office-tree.js';
import { OrganisationService } from './organisation.service.js';
import { GroupMemberRepository, GroupRepository, MembershipRepository, OfficeRepository, RoleRepository } from './repositories.js';
import { registerResource, Visibility } from './visibility.js';

const exported = [
  ActorDirectory,
  AccessPolicy,
  Visibility,
  OrganisationService,
  OfficeTreeLoader,
  OfficeRepository,
  RoleRepository,
  MembershipRepository,
  GroupRepository,
  GroupMemberRepository,
];

// A user record belongs to the user (own) and to every office where they hold a role.
registerResource('user', {
  owner: (alias) => `${alias}.id`,
  inOffices: (alias) =>
    `EXISTS (SELECT 1 FROM memberships reach_m WHERE reach_m.tenant_id = ${alias}.tenant_id AND reach_m.user_id = ${alias}.id AND reach_m.office_id = ANY(:reachOffices))`,
});
registerResource('office', { owner: () => 'NULL', inOffices: (alias) => `${alias}.id = ANY(:reachOffices)` });
// Workspace-wide things with no owner or office: only an `all` scope reaches them.
for (const type of ['workspace-policy', 'audit-entry', 'role', 'group'])
  registerResource(type, { owner: () => 'NULL', inOffices: () => 'false' });

/** The organisation of each tenant (offices, roles, memberships, groups) and the access rules on it. */
@Module({ providers: exported, exports: exported })
export class AccessModule implements OnApplicationBootstrap {
  constructor(private readonly policy: AccessPolicy) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.policy.validate();
  }
}
