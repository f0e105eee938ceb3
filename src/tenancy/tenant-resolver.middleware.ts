import { Injectable, NotFoundException, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { TenantContext } from '../db/tenant-context.js';
import { resolveLocale } from '../i18n/locale.js';
import { TenantResolver } from './tenant-resolver.js';

/** Thrown for a host that names no (enabled) tenant; rendered as the neutral 404 page or problem. */
export class UnknownTenantException extends NotFoundException {
  constructor() {
    super('unknown-tenant');
  }
}

/** Puts the request's tenant, found from its Host, into the request and the tenant context. */
@Injectable()
export class TenantResolverMiddleware implements NestMiddleware {
  constructor(private readonly resolver: TenantResolver) {}

  async use(req: Request, _res: Response, next: NextFunction): Promise<void> {
    const tenant = await this.resolver.resolve(req.headers.host);
    if (!tenant) throw new UnknownTenantException();
    req.tenant = tenant;
    // The request's language until a signed-in user's preference is known (see PageContextMiddleware).
    req.locale = resolveLocale(null, req.headers['accept-language'], tenant.defaultLocale);
    TenantContext.run({ tenantId: tenant.id, slug: tenant.slug }, next);
  }
}
