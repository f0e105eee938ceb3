import { AsyncLocalStorage } from 'node:async_hooks';

export interface TenantScope {
  readonly tenantId: string;
  readonly slug: string;
}

const storage = new AsyncLocalStorage<TenantScope>();

/**
 * The tenant a unit of work (an HTTP request, a job) belongs to. It is set once, where the work
 * enters the system, and read by the repository layer, so no caller can forget the tenant filter.
 */
export const TenantContext = {
  run<R>(scope: TenantScope, work: () => R): R {
    return storage.run(scope, work);
  },
  current(): TenantScope {
    const scope = storage.getStore();
    if (!scope) throw new Error('No tenant in context: tenant-owned data was touched outside a tenant scope');
    return scope;
  },
  optional(): TenantScope | undefined {
    return storage.getStore();
  },
};
