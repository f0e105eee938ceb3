import { Injectable } from '@nestjs/common';
import { OrganisationService } from '../../access/organisation.service.js';
import type { Tenant } from '../../tenancy/tenant.entity.js';
import type { User } from '../user.entity.js';
import { SamlOptionsFactory } from './saml-options.js';

/**
 * `sso.localLogin: admins-only`: once a tenant signs in through its IdP, the password form (and the
 * API's password grant) stays open to administrators only, as a way in when the IdP is down.
 */
@Injectable()
export class LocalLoginPolicy {
  constructor(
    private readonly factory: SamlOptionsFactory,
    private readonly organisation: OrganisationService,
  ) {}

  /** The IdP's name when the tenant keeps the password form for administrators only; null otherwise. */
  restrictedTo(tenant: Tenant): string | null {
    const sso = this.factory.ssoOf(tenant);
    return sso?.localLogin === 'admins-only' ? sso.displayName : null;
  }

  /** Whether this user, whose password was just checked, may sign in with it. */
  async allows(tenant: Tenant, user: User): Promise<boolean> {
    if (this.restrictedTo(tenant) === null) return true;
    return (await this.organisation.grantsOf(user.id)).some((grant) => grant.role === 'admin');
  }
}
