import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ProblemException } from '../api/problem.js';
import { allowedBy } from './ip-allowlist.js';
import { WorkspacePolicies } from './workspace-policies.js';

/** Turns away requests from outside the workspace's allow-list, before anything else is done for them. */
@Injectable()
export class IpAllowlistMiddleware implements NestMiddleware {
  constructor(private readonly policies: WorkspacePolicies) {}

  async use(req: Request, _res: Response, next: NextFunction): Promise<void> {
    const { ipAllowlist } = await this.policies.current();
    if (!allowedBy(ipAllowlist, req.ip ?? '')) throw new ProblemException(403, 'address-not-allowed');
    next();
  }
}
