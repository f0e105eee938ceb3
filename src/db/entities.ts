import { Tenant } from '../tenancy/tenant.entity.js';
import { User } from '../identity/user.entity.js';
import { Session } from '../identity/session.entity.js';
import { PasswordReset } from '../identity/password-reset.entity.js';

/** Every TypeORM entity; a module adds its own here when it adds a table. */
export const entities = [Tenant, User, Session, PasswordReset];
