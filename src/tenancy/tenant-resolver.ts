import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import { Tenant } from './tenant.entity.js';

const CACHE_MS = 5_000;

/**
 * Host header → tenant: `<slug>.<BASE_DOMAIN>` or a custom domain from the tenant file.
 * A short cache keeps the lookup off the database on every request while a `tenants sync`
 * in another process is still seen within seconds.
 */
@Injectable()
export class TenantResolver {
  private readonly cache = new Map<string, { tenant: Tenant | null; at: number }>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The host without port, lower case; null when the header is missing or malformed. */
  static hostname(hostHeader: string | undefined): string | null {
    if (!hostHeader) return null;
    const host = hostHeader.trim().toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
    return /^[a-z0-9.-]+$/.test(host) ? host : null;
  }

  async resolve(hostHeader: string | undefined): Promise<Tenant | null> {
    const host = TenantResolver.hostname(hostHeader);
    if (!host) return null;
    const cached = this.cache.get(host);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.tenant;
    const tenant = await this.lookup(host);
    this.cache.set(host, { tenant, at: Date.now() });
    return tenant;
  }

  private async lookup(host: string): Promise<Tenant | null> {
    const repository = this.dataSource.getRepository(Tenant);
    const suffix = `.${this.config.BASE_DOMAIN.toLowerCase()}`;
    const label = host.endsWith(suffix) ? host.slice(0, -suffix.length) : null;
    let tenant: Tenant | null = null;
    if (label && !label.includes('.')) tenant = await repository.findOne({ where: { slug: label } });
    tenant ??= await repository.createQueryBuilder('t').where(':host = ANY(t.domains)', { host }).getOne();
    return tenant?.enabled ? tenant : null;
  }
}
