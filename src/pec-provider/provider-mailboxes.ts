import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/config.module.js';
import { LocalMailboxes, normaliseAddress } from '../local-mail/local-mailboxes.js';
import { PROFILES, type SendingLimits } from './rate-limiter.js';
import type { TenantPecSection } from './tenant-pec-section.js';

/**
 * The mailboxes of the local PEC provider: Dovecot users (LocalMailboxes) on a domain of
 * PEC_PROVIDER_DOMAINS, each with its sending limits in Redis so that every provider process
 * applies the same ones.
 */
export class ProviderMailboxes {
  private readonly domains: Set<string>;
  private readonly ordinaryDomains: Set<string>;
  private readonly catchAllDomains: Set<string>;

  constructor(
    private readonly mailboxes: LocalMailboxes,
    private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {
    this.domains = new Set(config.PEC_PROVIDER_DOMAINS);
    this.ordinaryDomains = new Set(config.PEC_PROVIDER_ORDINARY_DOMAINS);
    this.catchAllDomains = new Set(config.PEC_PROVIDER_CATCH_ALL_DOMAINS.filter((domain) => this.domains.has(domain)));
  }

  /** Creates the shared mailbox of every catch-all domain (idempotent). */
  async ensureCatchAll(): Promise<void> {
    for (const domain of this.catchAllDomains) await this.mailboxes.ensure(catchAllOf(domain), this.config.PEC_PROVIDER_CATCH_ALL_PASSWORD);
  }

  /** True when `address` has no mailbox of its own and lands in its domain's catch-all mailbox. */
  async caughtByCatchAll(address: string): Promise<boolean> {
    return this.catchAllDomains.has(domainOf(address)) && !(await this.mailboxes.exists(address));
  }

  /**
   * The Dovecot mailbox a busta for `address` goes to: its own, else its domain's catch-all one;
   * undefined for an unknown mailbox (no-dest).
   */
  async deliveryTarget(address: string): Promise<string | undefined> {
    if (!this.serves(address)) return undefined;
    if (await this.mailboxes.exists(address)) return address.toLowerCase();
    const domain = domainOf(address);
    return this.catchAllDomains.has(domain) ? catchAllOf(domain) : undefined;
  }

  /** True for a domain this provider serves. */
  serves(address: string): boolean {
    return this.domains.has(domainOf(address));
  }

  /** True for an ordinary (non-PEC) mail domain of the local Dovecot: its recipients are `esterno`. */
  isOrdinary(address: string): boolean {
    return this.ordinaryDomains.has(domainOf(address));
  }

  /** An ordinary mailbox present in the local Dovecot. */
  async ordinaryExists(address: string): Promise<boolean> {
    return this.isOrdinary(address) && (await this.mailboxes.exists(address));
  }

  async add(address: string, password: string, limits: SendingLimits = PROFILES['standard']!): Promise<void> {
    const user = normaliseAddress(address);
    if (user === undefined || !this.serves(user)) {
      throw new Error(`${address} is not on a PEC domain of this provider (${[...this.domains].join(', ')})`);
    }
    await this.mailboxes.ensure(user, password);
    await this.redis.hset(this.limitsKey(), user, JSON.stringify(limits));
  }

  /** A PEC mailbox of this provider (on one of its domains and present in Dovecot, or on a catch-all domain). */
  async exists(address: string): Promise<boolean> {
    return (await this.deliveryTarget(address)) !== undefined;
  }

  async authenticate(address: string, password: string): Promise<boolean> {
    return this.serves(address) && (await this.mailboxes.verifyPassword(address, password));
  }

  async limits(address: string): Promise<SendingLimits> {
    const stored = await this.redis.hget(this.limitsKey(), address.toLowerCase());
    return stored ? (JSON.parse(stored) as SendingLimits) : PROFILES['standard']!;
  }

  /** Creates the mailboxes the tenant files list (idempotent: an unchanged password writes nothing). */
  async addFromTenants(sections: TenantPecSection[]): Promise<string[]> {
    const added: string[] = [];
    for (const section of sections) {
      for (const mailbox of section.mailboxes) {
        await this.add(mailbox.address, mailbox.password, PROFILES[mailbox.profile]);
        added.push(mailbox.address.toLowerCase());
      }
    }
    return added;
  }

  private limitsKey(): string {
    return `${this.config.REDIS_PREFIX}:pec-provider:limits`;
  }
}

/** The shared mailbox of a catch-all domain. */
export function catchAllOf(domain: string): string {
  return `catch-all@${domain}`;
}

export function domainOf(address: string): string {
  const lower = address.trim().toLowerCase();
  return lower.slice(lower.lastIndexOf('@') + 1);
}
