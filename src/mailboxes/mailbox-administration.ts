import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, In, QueryFailedError } from 'typeorm';
import type { Action } from '../access/access-policy.js';
import { OrganisationService } from '../access/organisation.service.js';
import type { Principal } from '../access/principal.js';
import { Visibility } from '../access/visibility.js';
import { ProblemException } from '../api/problem.js';
import { ActivityLog } from '../audit/activity-log.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import type { Locale } from '../i18n/locale.js';
import { translate } from '../i18n/translate.js';
import { MailboxBreaker } from '../pacing/mailbox-breaker.js';
import { SecretBox } from '../secrets/secret-box.js';
import { Mailbox, type MailboxState } from './mailbox.entity.js';
import { openCredentials, sealCredentials, type MailboxCredentials } from './mailbox-credentials.js';
import type { MailboxPatch, NewMailbox } from './mailbox-input.js';
import { presetsFor, type Presets } from './mailbox-presets.js';
import { MailboxProbe, type ProbeOutcome } from './mailbox-probe.js';
import { MailboxOfficeRepository, MailboxRepository } from './mailbox.repository.js';
import { resolveSettings, settingsOf, type MailboxSettings } from './mailbox-settings.js';
import { mailboxView, type MailboxView } from './mailbox-view.js';

export interface ProbeResult {
  smtp: ProbeOutcome & { error?: string };
  imap: ProbeOutcome & { error?: string };
  state: Exclude<MailboxState, 'new'>;
}

/** Who acts: a signed-in person (checked against the access model) or the system (the seed). */
export type MailboxActor = Principal | 'system';

/**
 * The tenant's PEC mailboxes as admins manage them and as everyone else sees them (the ones of their
 * offices). Credentials go in sealed and never come out, except to the probe and, later, the sender.
 */
@Injectable()
export class MailboxAdministration {
  constructor(
    private readonly dataSource: DataSource,
    private readonly mailboxes: MailboxRepository,
    private readonly assignments: MailboxOfficeRepository,
    private readonly organisation: OrganisationService,
    private readonly visibility: Visibility,
    private readonly secrets: SecretBox,
    private readonly prober: MailboxProbe,
    private readonly activity: ActivityLog,
    private readonly breakers: MailboxBreaker,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.presets = presetsFor(config);
  }

  /** The presets of this installation (the local one follows its configured ports). */
  readonly presets: Presets;

  async list(principal: Principal, locale: Locale): Promise<MailboxView[]> {
    const query = this.mailboxes.query('m').orderBy('m.address', 'ASC');
    const rows = await (await this.visibility.restrict(query, 'm', 'mailbox', 'see', principal)).getMany();
    return this.views(rows, locale);
  }

  async get(principal: Principal, id: string, locale: Locale): Promise<MailboxView> {
    return (await this.views([await this.find(principal, id, 'see')], locale))[0]!;
  }

  /** Whether the address is already a mailbox of this tenant (the seed creates what is missing only). */
  async exists(address: string): Promise<boolean> {
    return (await this.mailboxes.count({ address: address.toLowerCase() })) > 0;
  }

  async create(actor: MailboxActor, input: NewMailbox, locale: Locale): Promise<MailboxView> {
    const address = input.address.toLowerCase();
    if (await this.exists(address)) throw new ProblemException(409, 'conflict', address);
    const settings = resolveSettings(input, undefined, this.presets, locale);
    await this.checkOffices(input.officeIds, locale);
    const id = randomUUID();
    const credentials = this.seal(id, { username: input.username ?? address, password: input.password });
    await this.unique(address, () =>
      this.dataSource.transaction(async (manager) => {
        await this.mailboxes.within(manager).insert({ id, address, credentials, ...columnsOf(settings) });
        for (const officeId of new Set(input.officeIds)) await this.assignments.within(manager).insert({ mailboxId: id, officeId });
      }),
    );
    await this.activity.record({
      action: 'mailbox.created',
      actor: actorOf(actor),
      resource: { type: 'mailbox', id },
      details: { address, preset: settings.preset, profile: settings.profile, officeIds: input.officeIds },
    });
    return (await this.views([(await this.mailboxes.findOne({ id }))!], locale))[0]!;
  }

  async update(principal: Principal, id: string, patch: MailboxPatch, locale: Locale): Promise<MailboxView> {
    const mailbox = await this.find(principal, id, 'administer');
    const address = patch.address?.toLowerCase() ?? mailbox.address;
    if (address !== mailbox.address && (await this.exists(address))) throw new ProblemException(409, 'conflict', address);
    const settings = resolveSettings(patch, settingsOf(mailbox), this.presets, locale);
    if (patch.officeIds) await this.checkOffices(patch.officeIds, locale);
    const credentialsChanged = patch.username !== undefined || patch.password !== undefined;
    const current = credentialsChanged ? this.open(mailbox) : undefined;
    const credentials = current
      ? this.seal(id, { username: patch.username ?? current.username, password: patch.password ?? current.password })
      : mailbox.credentials;
    await this.unique(address, () =>
      this.dataSource.transaction(async (manager) => {
        await this.mailboxes.within(manager).update({ id }, { address, credentials, ...columnsOf(settings), updatedAt: new Date() });
        if (patch.officeIds) {
          await this.assignments.within(manager).delete({ mailboxId: id });
          for (const officeId of new Set(patch.officeIds)) await this.assignments.within(manager).insert({ mailboxId: id, officeId });
        }
      }),
    );
    // The field names say what changed; a password never appears, not even as a hash.
    const changed = Object.keys(patch).filter((key) => key !== 'password' && key !== 'username');
    await this.activity.record({
      action: 'mailbox.updated',
      actor: actorOf(principal),
      resource: { type: 'mailbox', id },
      details: { address, changed, credentialsChanged },
    });
    return this.get(principal, id, locale);
  }

  async remove(principal: Principal, id: string): Promise<void> {
    const mailbox = await this.find(principal, id, 'administer');
    await this.mailboxes.delete({ id });
    await this.activity.record({
      action: 'mailbox.removed',
      actor: actorOf(principal),
      resource: { type: 'mailbox', id },
      details: { address: mailbox.address },
    });
  }

  /** Logs in to SMTP and IMAP (nothing is sent) and records what it found as the mailbox's state. */
  async probe(principal: Principal, id: string, locale: Locale): Promise<ProbeResult> {
    const mailbox = await this.find(principal, id, 'administer');
    const { smtp, imap } = settingsOf(mailbox);
    const outcome = await this.prober.probe({ smtp, imap, ...this.open(mailbox) });
    const failing = (['smtp', 'imap'] as const).filter((protocol) => !outcome[protocol].ok);
    const state = failing.length === 0 ? 'connected' : 'failing';
    const reason = failing.map((protocol) => `${protocol}:${outcome[protocol].reason}`).join(',') || null;
    const now = new Date();
    const changed = state !== mailbox.state || reason !== mailbox.stateReason;
    await this.mailboxes.update({ id }, { state, stateReason: reason, checkedAt: now, ...(changed ? { stateSince: now } : {}) });
    await this.activity.record({
      action: 'mailbox.probed',
      actor: actorOf(principal),
      resource: { type: 'mailbox', id },
      details: { address: mailbox.address, state, reason },
    });
    const described = (result: ProbeOutcome) =>
      result.reason ? { ...result, error: translate(locale, `mailboxes.reason.${result.reason}`) } : result;
    return { smtp: described(outcome.smtp), imap: described(outcome.imap), state };
  }

  private async find(principal: Principal, id: string, action: Action): Promise<Mailbox> {
    if (!isUuid(id)) throw new ProblemException(404, 'not-found');
    const query = this.mailboxes.query('m').andWhere('m.id = :id', { id });
    const mailbox = await (await this.visibility.restrict(query, 'm', 'mailbox', action, principal)).getOne();
    if (!mailbox) throw new ProblemException(404, 'not-found');
    return mailbox;
  }

  private async views(rows: Mailbox[], locale: Locale): Promise<MailboxView[]> {
    if (rows.length === 0) return [];
    const tree = await this.organisation.tree();
    const assigned = await this.assignments.find({ mailboxId: In(rows.map((row) => row.id)) });
    const breakers = await this.breakers.states(rows.map((row) => row.id));
    return rows.map((row) =>
      mailboxView(
        row,
        assigned.filter((a) => a.mailboxId === row.id).map((a) => a.officeId),
        tree,
        breakers.get(row.id)!,
        locale,
      ),
    );
  }

  private async checkOffices(officeIds: string[], locale: Locale): Promise<void> {
    const tree = await this.organisation.tree();
    const unknown = officeIds.findIndex((officeId) => !tree.get(officeId));
    if (unknown >= 0)
      throw new ProblemException(422, 'validation', undefined, {
        errors: [{ field: `officeIds.${unknown}`, message: translate(locale, 'mailboxes.error.unknownOffice') }],
      });
  }

  /** Two admins creating the same address at once: the unique constraint decides, the loser gets a 409. */
  private async unique(address: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505')
        throw new ProblemException(409, 'conflict', address);
      throw error;
    }
  }

  private seal(id: string, credentials: MailboxCredentials): string {
    return sealCredentials(this.secrets, id, credentials);
  }

  /** The credentials in clear: for the probe and the PEC sender's SMTP login only. */
  open(mailbox: Mailbox): MailboxCredentials {
    return openCredentials(this.secrets, mailbox.id, mailbox.credentials);
  }
}

function columnsOf(settings: MailboxSettings): Partial<Mailbox> {
  return {
    preset: settings.preset,
    profile: settings.profile,
    smtpHost: settings.smtp.host,
    smtpPort: settings.smtp.port,
    smtpSecurity: settings.smtp.security,
    imapHost: settings.imap.host,
    imapPort: settings.imap.port,
    imapSecurity: settings.imap.security,
    sentFolder: settings.sentFolder,
    ...settings.limits,
  };
}

function actorOf(actor: MailboxActor): 'system' | { id: string; email: string } {
  return actor === 'system' ? 'system' : { id: actor.userId, email: actor.email };
}

function isUuid(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}
