import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Membership } from '../access/membership.entity.js';
import type { Grant } from '../access/principal.js';
import { TenantScopedRepository } from '../db/tenant-scoped.repository.js';
import { Session, type SessionKind } from './session.entity.js';
import { User } from './user.entity.js';

@Injectable()
export class SessionRepository extends TenantScopedRepository<Session> {
  constructor(dataSource: DataSource) {
    super(dataSource, Session);
  }

  /**
   * The unrevoked session with this token hash, its user (null when the user is gone) and the user's
   * grants, in one round trip: every authenticated request starts with this. Joins stay in the tenant.
   */
  async findSignedIn(tokenHash: Buffer, kind: SessionKind): Promise<{ session: Session; user: User | null; grants: Grant[] } | null> {
    const found = await this.query('s')
      .leftJoinAndMapOne('s.user', User, 'u', 'u.id = s.user_id AND u.tenant_id = s.tenant_id')
      .leftJoinAndMapMany('s.memberships', Membership, 'm', 'm.user_id = u.id AND m.tenant_id = u.tenant_id')
      .andWhere('s.token_hash = :tokenHash AND s.kind = :kind AND s.revoked_at IS NULL', { tokenHash, kind })
      .getOne();
    if (!found) return null;
    const { user, memberships, ...session } = found as Session & { user?: User; memberships?: Membership[] };
    return {
      session: Object.assign(new Session(), session),
      user: user ?? null,
      grants: (memberships ?? []).map((m) => ({ role: m.roleKey, officeId: m.officeId })),
    };
  }
}
