import type { OfficeTree } from '../access/office-tree.js';
import type { Grant } from '../access/principal.js';
import type { User } from '../identity/user.entity.js';

/** A user as administrators see it: identity, status and every role held where. */
export interface UserView {
  id: string;
  email: string;
  displayName: string;
  status: 'active' | 'blocked';
  mustChangePassword: boolean;
  grants: { role: string; officeId: string | null; office: string | null }[];
}

export function toUserView(user: User, grants: Grant[], tree: OfficeTree): UserView {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    status: user.blocked ? 'blocked' : 'active',
    mustChangePassword: user.mustChangePassword,
    grants: grants
      .map((g) => ({ role: g.role, officeId: g.officeId, office: g.officeId ? tree.path(g.officeId) : null }))
      .sort((a, b) => (a.office ?? '').localeCompare(b.office ?? '', 'it') || a.role.localeCompare(b.role)),
  };
}
