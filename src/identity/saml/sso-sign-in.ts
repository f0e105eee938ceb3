import { Injectable, Logger } from '@nestjs/common';
import { OrganisationService, UnknownOfficeError, UnknownRoleError } from '../../access/organisation.service.js';
import type { Grant } from '../../access/principal.js';
import { TenantContext } from '../../db/tenant-context.js';
import type { User } from '../user.entity.js';
import { UserRepository } from '../user.repository.js';
import { grantsForGroups } from './group-mapping.js';
import type { SsoIdentity } from './sso-identity.js';
import type { TenantSso } from './tenant-sso.js';

export type SsoAdmission = { outcome: 'ok'; user: User } | { outcome: 'not-enabled' } | { outcome: 'blocked' };

/**
 * Turns an identity the tenant's IdP vouched for into a pecflow user: found by e-mail, created
 * when the tenant allows just-in-time accounts, and given exactly the roles and offices its groups
 * map to. The IdP is the source of truth for memberships, so each sign-in replaces them.
 */
@Injectable()
export class SsoSignIn {
  private readonly logger = new Logger(SsoSignIn.name);

  constructor(
    private readonly users: UserRepository,
    private readonly organisation: OrganisationService,
  ) {}

  async admit(identity: SsoIdentity, sso: TenantSso): Promise<SsoAdmission> {
    let user = await this.users.findByEmail(identity.email);
    if (!user) {
      if (!sso.justInTime) return { outcome: 'not-enabled' };
      user = await this.createUser(identity);
    } else if (user.blocked) {
      return { outcome: 'blocked' };
    } else if (user.displayName !== identity.displayName) {
      await this.users.update({ id: user.id }, { displayName: identity.displayName });
      user.displayName = identity.displayName;
    }
    await this.organisation.replaceGrants(user.id, await this.resolveGrants(identity.groups, sso));
    return { outcome: 'ok', user };
  }

  /** No password: the account signs in through the IdP only (the password form finds no hash to match). */
  private async createUser(identity: SsoIdentity): Promise<User> {
    try {
      const user = await this.users.insert({
        email: identity.email,
        displayName: identity.displayName,
        passwordHash: null,
        mustChangePassword: false,
      });
      this.logger.log(`tenant ${TenantContext.current().slug}: SSO created user ${user.id}`);
      return user;
    } catch (error) {
      // Two first sign-ins at once (two tabs, two replicas): the other one created it.
      const existing = await this.users.findByEmail(identity.email);
      if (existing) return existing;
      throw error;
    }
  }

  /** Unknown roles or offices in the mapping are the tenant file's mistakes: logged, and that grant skipped. */
  private async resolveGrants(groups: string[], sso: TenantSso): Promise<Grant[]> {
    const tree = await this.organisation.tree();
    const grants: Grant[] = [];
    for (const named of grantsForGroups(groups, sso)) {
      try {
        grants.push(...(await this.organisation.resolve([named], tree)));
      } catch (error) {
        if (!(error instanceof UnknownRoleError || error instanceof UnknownOfficeError)) throw error;
        this.logger.error(`tenant ${TenantContext.current().slug}: sso.groupMapping configuration error, grant skipped: ${error.message}`);
      }
    }
    return grants;
  }
}
