import type { Tenant } from '../tenancy/tenant.entity.js';
import type { User } from '../identity/user.entity.js';
import type { Session } from '../identity/session.entity.js';
import type { Locale } from '../i18n/locale.js';
import type { Principal } from '../access/principal.js';

declare global {
  namespace Express {
    interface Request {
      /** Set by TenantResolverMiddleware on every tenant route. */
      tenant?: Tenant;
      /** Set by the authentication guards once a session or bearer token is valid. */
      user?: User;
      session?: Session;
      /** The user's roles and offices, loaded by the auth guards. */
      principal?: Principal;
      /** The language pages and problems are rendered in. */
      locale?: Locale;
    }
  }
}

export {};
