import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ProblemException } from '../api/problem.js';
import type { Principal } from '../access/principal.js';
import { REQUIRED_ACCESS, type RequiredAccess } from '../access/require-access.js';
import { Visibility } from '../access/visibility.js';
import { REQUIRED_ROLES } from './roles.js';
import { WorkspacePolicies } from '../policies/workspace-policies.js';
import { SecondFactor } from './second-factor.js';
import { SessionService, type SignedIn } from './session.service.js';
import type { User } from './user.entity.js';

/** Routes a user who must change the password may still reach. */
const ALLOWED_BEFORE_PASSWORD_CHANGE = Symbol('ALLOWED_BEFORE_PASSWORD_CHANGE');
export const AllowBeforePasswordChange = (): MethodDecorator & ClassDecorator => SetMetadata(ALLOWED_BEFORE_PASSWORD_CHANGE, true);

/** Routes a user whose workspace requires a second factor may reach before setting it up. */
const ALLOWED_BEFORE_SECOND_FACTOR = Symbol('ALLOWED_BEFORE_SECOND_FACTOR');
export const AllowBeforeSecondFactor = (): MethodDecorator & ClassDecorator => SetMetadata(ALLOWED_BEFORE_SECOND_FACTOR, true);

/**
 * After authentication: the forced password change, then the second factor, the roles and the access
 * the route asks for, checked against who the user is in the organisation (req.principal, read with the session).
 */
async function admit(req: Request, user: User, context: ExecutionContext, deps: GuardDeps): Promise<void> {
  const { reflector, visibility } = deps;
  const targets = [context.getHandler(), context.getClass()];
  if (user.mustChangePassword && !reflector.getAllAndOverride<boolean>(ALLOWED_BEFORE_PASSWORD_CHANGE, targets)) {
    throw new ProblemException(403, 'password-change-required');
  }
  const principal = req.principal;
  if (!principal) throw new ProblemException(401, 'unauthorized');
  // Password sign-ins only: with SSO the identity provider decides how people prove who they are.
  if (
    req.session?.method === 'password' &&
    !deps.secondFactor.isEnrolled(user) &&
    deps.secondFactor.requiredFor(principal.roles, await deps.policies.current()) &&
    !reflector.getAllAndOverride<boolean>(ALLOWED_BEFORE_SECOND_FACTOR, targets)
  ) {
    throw new ProblemException(403, 'second-factor-required');
  }
  const roles = reflector.getAllAndOverride<string[] | undefined>(REQUIRED_ROLES, targets);
  if (roles && !roles.some((role) => principal.roles.includes(role))) throw new ProblemException(403, 'forbidden');
  const access = reflector.getAllAndOverride<RequiredAccess | undefined>(REQUIRED_ACCESS, targets);
  if (access && !(await visibility.allows(principal, access.type, access.action))) throw new ProblemException(403, 'forbidden');
}

@Injectable()
export class GuardDeps {
  constructor(
    readonly reflector: Reflector,
    readonly visibility: Visibility,
    readonly secondFactor: SecondFactor,
    readonly policies: WorkspacePolicies,
  ) {}
}

/** Who the signed-in user is in the organisation, from the grants read with their session. */
export function principalOf({ user, grants }: SignedIn): Principal {
  return { userId: user.id, email: user.email, grants, roles: [...new Set(grants.map((g) => g.role))].sort() };
}

/** Pages: a signed-in web session is required (PageContextMiddleware has read the cookie). */
@Injectable()
export class SignedInGuard implements CanActivate {
  constructor(private readonly deps: GuardDeps) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    if (!req.user) throw new ProblemException(401, 'unauthorized');
    await admit(req, req.user, context, this.deps);
    return true;
  }
}

/** API: `Authorization: Bearer <token>` issued to this tenant by POST /api/v1/auth/token. */
@Injectable()
export class BearerGuard implements CanActivate {
  constructor(
    private readonly sessions: SessionService,
    private readonly deps: GuardDeps,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const match = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '');
    const signedIn = match?.[1] ? await this.sessions.validate(match[1], 'api') : null;
    if (!signedIn) {
      context.switchToHttp().getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="pecflow"');
      throw new ProblemException(401, 'unauthorized');
    }
    req.user = signedIn.user;
    req.session = signedIn.session;
    req.principal = principalOf(signedIn);
    await admit(req, signedIn.user, context, this.deps);
    return true;
  }
}
