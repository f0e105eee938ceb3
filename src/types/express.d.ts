import type { Tenant } from '../tenancy/tenant.entity.js';
import type { User as PecflowUser } from '../identity/user.entity.js';
import type { Session } from '../identity/session.entity.js';
import type { Locale } from '../i18n/locale.js';
import type { Principal } from '../access/principal.js';

declare global {
  namespace Express {
    /** passport declares Request.user as Express.User; ours is the pecflow user. */
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends PecflowUser {}

    interface Request {
      /** Set by TenantResolverMiddleware on every tenant route. */
      tenant?: Tenant;
      session?: Session;
      /** The user's roles and offices, loaded by the auth guards. */
      principal?: Principal;
      /** The language pages and problems are rendered in. */
      locale?: Locale;
    }
  }
}

export {};
