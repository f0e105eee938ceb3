import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ProblemException } from '../api/problem.js';
import { REQUIRED_ROLES } from './roles.js';
import { SessionService } from './session.service.js';
import type { BasicRole, User } from './user.entity.js';

/** Routes a user who must change the password may still reach. */
const ALLOWED_BEFORE_PASSWORD_CHANGE = Symbol('ALLOWED_BEFORE_PASSWORD_CHANGE');
export const AllowBeforePasswordChange = (): MethodDecorator & ClassDecorator => SetMetadata(ALLOWED_BEFORE_PASSWORD_CHANGE, true);

function checkUser(user: User, context: ExecutionContext, reflector: Reflector): void {
  const targets = [context.getHandler(), context.getClass()];
  if (user.mustChangePassword && !reflector.getAllAndOverride<boolean>(ALLOWED_BEFORE_PASSWORD_CHANGE, targets)) {
    throw new ProblemException(403, 'password-change-required');
  }
  const roles = reflector.getAllAndOverride<BasicRole[] | undefined>(REQUIRED_ROLES, targets);
  if (roles && !roles.some((role) => user.roles.includes(role))) throw new ProblemException(403, 'forbidden');
}

/** Pages: a signed-in web session is required (PageContextMiddleware has read the cookie). */
@Injectable()
export class SignedInGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const user = context.switchToHttp().getRequest<Request>().user;
    if (!user) throw new ProblemException(401, 'unauthorized');
    checkUser(user, context, this.reflector);
    return true;
  }
}

/** API: `Authorization: Bearer <token>` issued to this tenant by POST /api/v1/auth/token. */
@Injectable()
export class BearerGuard implements CanActivate {
  constructor(
    private readonly sessions: SessionService,
    private readonly reflector: Reflector,
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
    checkUser(signedIn.user, context, this.reflector);
    return true;
  }
}
