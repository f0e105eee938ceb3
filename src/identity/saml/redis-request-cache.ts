import type { CacheItem, CacheProvider } from '@node-saml/passport-saml';
import type { Redis } from 'ioredis';

/**
 * node-saml's store of the AuthnRequest and LogoutRequest IDs it issued, checked against a
 * response's InResponseTo. It lives in Redis so that any web replica can take the response, and
 * under one namespace per tenant so a response to one tenant's request never matches another's.
 */
export class RedisRequestCache implements CacheProvider {
  constructor(
    private readonly redis: Redis,
    /** `${REDIS_PREFIX}:saml:<tenantId>:` */
    private readonly namespace: string,
    private readonly ttlSeconds: number,
  ) {}

  private key(id: string): string {
    return `${this.namespace}request:${id}`;
  }

  async saveAsync(key: string, value: string): Promise<CacheItem | null> {
    await this.redis.set(this.key(key), value, 'EX', this.ttlSeconds);
    return { value, createdAt: Date.now() };
  }

  getAsync(key: string): Promise<string | null> {
    return this.redis.get(this.key(key));
  }

  removeAsync(key: string | null): Promise<string | null> {
    return key === null ? Promise.resolve(null) : this.redis.getdel(this.key(key));
  }

  /**
   * Marks a response as used, atomically across replicas: true the first time only. node-saml reads
   * the request ID and deletes it in two steps, so two copies of one response posted at the same
   * moment could both pass its check; this one cannot be raced.
   */
  async claimOnce(inResponseTo: string): Promise<boolean> {
    return (await this.redis.set(`${this.namespace}used:${inResponseTo}`, '1', 'EX', this.ttlSeconds, 'NX')) === 'OK';
  }
}
