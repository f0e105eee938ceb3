import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { ProblemException } from '../api/problem.js';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * The platform API is the operator's, not a workspace user's: it takes `Authorization: Bearer
 * <PLATFORM_TOKEN>` (compared in constant time) and answers 404 while no token is configured.
 */
@Injectable()
export class PlatformTokenGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.config.PLATFORM_TOKEN) throw new ProblemException(404, 'not-found');
    const req = context.switchToHttp().getRequest<Request>();
    const given = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '')?.[1];
    if (!given || !timingSafeEqual(digest(given), digest(this.config.PLATFORM_TOKEN))) {
      context.switchToHttp().getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="pecflow-platform"');
      throw new ProblemException(401, 'unauthorized');
    }
    return true;
  }
}
