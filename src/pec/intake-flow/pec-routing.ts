import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OfficeTree } from '../../access/office-tree.js';
import { OfficeRepository } from '../../access/repositories.js';
import { TenantContext } from '../../db/tenant-context.js';
import { TenantScopedRepository } from '../../db/tenant-scoped.repository.js';
import { Mailbox, MailboxOffice } from '../../mailboxes/mailbox.entity.js';
import { Tenant } from '../../tenancy/tenant.entity.js';
import { DEFAULT_INTAKE_SETTINGS, firstMatch, type PecIntakeSettings, type RoutedMessage } from './routing-rules.js';

/** Why a message went where it went: forwarded by a person, a rule, its mailbox's office, the fallback. */
export type RoutedBy = 'forward' | 'rule' | 'mailbox' | 'fallback';

export interface RoutingDecision {
  /** The office's path, as actors name it (`role:operator@<path>`). */
  office: string;
  by: RoutedBy;
  /** The rule's name and position (1-based) when a rule decided. */
  rule: { name: string; position: number } | null;
}

export interface RoutingInput extends RoutedMessage {
  /** An office a person chose (the task's "Inoltra" outcome): it wins over everything else. */
  forwardTo?: string | null;
}

/** Nothing names an existing office: the message cannot be put in anyone's inbox. */
export class NoOfficeError extends Error {}

/** The answer to "which office would get this message?" (an admin's test; nothing is started). */
export interface RoutingVerdict {
  /** The office's path, or null when nothing names an existing office (the message would be an incident). */
  office: string | null;
  routedBy: Exclude<RoutedBy, 'forward'> | null;
  rule: { name: string; position: number } | null;
  /** Why no office: the configuration problem an admin has to fix. */
  problem: string | null;
}

/**
 * Which office an incoming PEC goes to (docs/decisions/0021): a person's forward, else the first of
 * the workspace's rules then the tenant file's (0033) that matches, else the office the mailbox is assigned to, else the tenant's
 * fallback office. An office named by a rule or the fallback that does not exist is a configuration
 * error, reported as such rather than skipped: a silently ignored rule would send mail to the wrong desk.
 */
@Injectable()
export class PecRouting {
  private readonly mailboxOffices: TenantScopedRepository<MailboxOffice>;
  private readonly mailboxes: TenantScopedRepository<Mailbox>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly offices: OfficeRepository,
  ) {
    this.mailboxOffices = new TenantScopedRepository(dataSource, MailboxOffice);
    this.mailboxes = new TenantScopedRepository(dataSource, Mailbox);
  }

  /** The tenant's intake settings (tenants/<slug>.yaml `pecIntake`), the defaults when it has none. */
  async settings(): Promise<PecIntakeSettings> {
    return (await this.tenant())?.pecIntake ?? DEFAULT_INTAKE_SETTINGS;
  }

  async route(input: RoutingInput, mailboxId: string | null): Promise<RoutingDecision> {
    const tree = new OfficeTree(await this.offices.find());
    const existing = (path: string, what: string): string => {
      const office = tree.find(path);
      if (!office) throw new NoOfficeError(`${what} names the office "${path}", which does not exist`);
      return tree.path(office.id);
    };
    if (input.forwardTo?.trim()) return { office: existing(input.forwardTo, 'the forward'), by: 'forward', rule: null };
    const tenant = await this.tenant();
    const settings = tenant?.pecIntake ?? DEFAULT_INTAKE_SETTINGS;
    // The workspace's own rules (edited in the web shell) first, then the file's: one ordered list (decision 0033).
    const match = firstMatch([...(tenant?.routingRules ?? []), ...settings.rules], input);
    if (match) {
      const office = existing(match.rule.office, `rule ${match.index + 1} (${match.rule.name})`);
      return { office, by: 'rule', rule: { name: match.rule.name, position: match.index + 1 } };
    }
    const mailboxOffice = mailboxId ? await this.mailboxOffice(mailboxId, tree) : null;
    if (mailboxOffice) return { office: mailboxOffice, by: 'mailbox', rule: null };
    if (settings.fallbackOffice) return { office: existing(settings.fallbackOffice, 'the fallback office'), by: 'fallback', rule: null };
    throw new NoOfficeError('no rule matches, the mailbox has no office and the workspace names no fallback office');
  }

  /**
   * Where a message would go, as the intake would decide it, without starting anything. A mailbox
   * given by its address alone is looked up, so its office counts as it would for real mail.
   */
  async verdict(message: RoutedMessage, mailboxId: string | null): Promise<RoutingVerdict> {
    const address = message.mailboxAddress?.trim().toLowerCase();
    const mailbox = mailboxId ?? (address ? ((await this.mailboxes.findOne({ address }))?.id ?? null) : null);
    try {
      const decision = await this.route(message, mailbox);
      return { office: decision.office, routedBy: decision.by === 'forward' ? null : decision.by, rule: decision.rule, problem: null };
    } catch (error) {
      if (error instanceof NoOfficeError) return { office: null, routedBy: null, rule: null, problem: error.message };
      throw error;
    }
  }

  private tenant(): Promise<Tenant | null> {
    return this.dataSource.getRepository(Tenant).findOne({ where: { id: TenantContext.current().tenantId } });
  }

  /** A mailbox shared by several offices goes to the first by path: one inbox owns each message, the others can be forwarded to. */
  private async mailboxOffice(mailboxId: string, tree: OfficeTree): Promise<string | null> {
    const links = await this.mailboxOffices.find({ mailboxId });
    const paths = links
      .filter((link) => tree.get(link.officeId))
      .map((link) => tree.path(link.officeId))
      .sort((a, b) => a.localeCompare(b, 'it'));
    return paths[0] ?? null;
  }
}

/** Who works a message routed to `office`: its operators, as a user task's candidate groups say it. */
export function candidatesOf(office: string): string {
  return `role:operator@${office}`;
}
