import { Inject, Injectable, Logger } from '@nestjs/common';
import { ValidateInResponseTo, type PassportSamlConfig } from '@node-saml/passport-saml';
import type { Request } from 'express';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../config/config.module.js';
import { REDIS } from '../../queue/redis.module.js';
import type { Tenant } from '../../tenancy/tenant.entity.js';
import { RedisRequestCache } from './redis-request-cache.js';
import { SpSigningKey } from './sp-signing-key.js';
import { tenantSsoSchema, type TenantSso } from './tenant-sso.js';

/** How long an AuthnRequest or LogoutRequest may wait for its answer (node-saml's default is 8 hours). */
const REQUEST_TTL_SECONDS = 600;

/** The service provider's addresses on the host the browser used: the entityID is the metadata URL. */
export interface SpUrls {
  entityId: string;
  acs: string;
  sloCallback: string;
}

/** Everything one SAML exchange of a tenant needs, built per request from the Host's tenant. */
export interface SamlContext {
  tenant: Tenant;
  sso: TenantSso;
  urls: SpUrls;
  cache: RedisRequestCache;
  options: PassportSamlConfig;
}

@Injectable()
export class SamlOptionsFactory {
  private readonly logger = new Logger(SamlOptionsFactory.name);
  /** Keyed by the tenant object, which TenantResolver keeps for a few seconds. */
  private readonly parsed = new WeakMap<Tenant, TenantSso | null>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly signingKey: SpSigningKey,
  ) {}

  /** The tenant's SSO settings; null when it has none, or when what is stored no longer validates. */
  ssoOf(tenant: Tenant): TenantSso | null {
    if (!this.parsed.has(tenant)) {
      const result = tenant.sso ? tenantSsoSchema.safeParse(tenant.sso) : null;
      if (result && !result.success)
        this.logger.error(`tenant ${tenant.slug}: stored sso settings are invalid, SSO is off: ${result.error.message}`);
      this.parsed.set(tenant, result?.success ? result.data : null);
    }
    return this.parsed.get(tenant) ?? null;
  }

  urls(hostHeader: string | undefined): SpUrls {
    const host = (hostHeader ?? '').trim().toLowerCase();
    // The tenant was already found from this Host, so only its shape is left to check.
    if (!/^[a-z0-9.-]+(:\d{1,5})?$/.test(host)) throw new Error('SAML: the request has no usable Host header');
    const base = `${this.config.PUBLIC_SCHEME}://${host}/auth/saml`;
    return { entityId: `${base}/metadata`, acs: `${base}/callback`, sloCallback: `${base}/logout/callback` };
  }

  /** One namespace per tenant, so a response can only match a request of the tenant it is posted to. */
  requestCache(tenantId: string): RedisRequestCache {
    return new RedisRequestCache(this.redis, `${this.config.REDIS_PREFIX}:saml:${tenantId}:`, REQUEST_TTL_SECONDS);
  }

  /** The context of a request on a tenant host; null when the tenant has no SSO. */
  contextOf(req: Request): SamlContext | null {
    const tenant = req.tenant;
    const sso = tenant ? this.ssoOf(tenant) : null;
    if (!tenant || !sso) return null;
    const urls = this.urls(req.headers.host);
    const cache = this.requestCache(tenant.id);
    const { privateKey, certificate } = this.signingKey;
    const options: PassportSamlConfig = {
      entryPoint: sso.idp.ssoUrl,
      issuer: urls.entityId,
      callbackUrl: urls.acs,
      idpCert: sso.idp.signingCertificates,
      idpIssuer: sso.idp.entityId,
      // The audience defaults to the issuer (our entityID), which is ADFS' relying party identifier.
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: sso.requireSignedResponse,
      signatureAlgorithm: 'sha256',
      digestAlgorithm: 'sha256',
      // ADFS 2016 refuses metadata whose NameIDFormat it does not know (ID0014); let the RP trust decide.
      identifierFormat: null,
      // ADFS picks the method (Windows integrated, forms) itself; asking for one can make it refuse.
      disableRequestedAuthnContext: true,
      acceptedClockSkewMs: sso.clockSkewSeconds * 1000,
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: REQUEST_TTL_SECONDS * 1000,
      cacheProvider: cache,
      ...(sso.idp.sloUrl ? { logoutUrl: sso.idp.sloUrl } : {}),
      ...(privateKey && certificate ? { privateKey, publicCert: certificate, logoutCallbackUrl: urls.sloCallback } : {}),
    };
    return { tenant, sso, urls, cache, options };
  }
}
