import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { AdminOfficesApiController } from './admin-offices.api.controller.js';
import { AdminPagesController } from './admin-pages.controller.js';
import { AdminUsersApiController } from './admin-users.api.controller.js';
import { OfficeAdministration } from './offices.js';
import { AdminRolesGroupsApiController } from './admin-roles-groups.api.controller.js';
import { AdminRolesGroupsPageController } from './admin-roles-groups.page.controller.js';
import { RolesAndGroups } from './roles-and-groups.js';
import { PoliciesApiController, PoliciesPageController } from './policies.controller.js';
import { RosterExport } from './roster-export.js';
import { UserAdministration } from './user-administration.js';
import { UserImport } from './user-import.js';

/** Tenant admins' pages and API: people, offices, roles, bulk provisioning. */
@Module({
  imports: [AccessModule, IdentityModule, AuditModule],
  controllers: [
    AdminUsersApiController,
    AdminOfficesApiController,
    AdminPagesController,
    PoliciesApiController,
    PoliciesPageController,
    AdminRolesGroupsApiController,
    AdminRolesGroupsPageController,
  ],
  providers: [RolesAndGroups, UserAdministration, UserImport, RosterExport, OfficeAdministration],
})
export class AdministrationModule {}
