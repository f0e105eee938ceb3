import type { Tenant } from '../../tenancy/tenant.entity.js';
import { safeNext } from '../../web/form.js';
import type { SamlOptionsFactory } from './saml-options.js';

export interface SsoLoginLink {
  /** The IdP's display name, for "Accedi con …". */
  idp: string;
  /** Where to go after signing in, sent to /auth/saml/login as RelayState; absent for the desktop. */
  relayState?: string;
  /** True when the password form is for administrators only. */
  adminsOnly: boolean;
}

/** The sign-in page's SSO button (a GET form to /auth/saml/login); undefined when the tenant has no SSO. */
export function ssoLoginLink(factory: SamlOptionsFactory, tenant: Tenant, next?: string): SsoLoginLink | undefined {
  const sso = factory.ssoOf(tenant);
  if (!sso) return undefined;
  const target = safeNext(next);
  return { idp: sso.displayName, adminsOnly: sso.localLogin === 'admins-only', ...(target === '/' ? {} : { relayState: target }) };
}
