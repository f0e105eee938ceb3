import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { z } from 'zod';
import { OfficeTreeLoader } from '../../access/office-tree.js';
import type { Principal } from '../../access/principal.js';
import { parseFields } from '../../api/field-errors.js';
import { ProblemException } from '../../api/problem.js';
import { ActivityLog } from '../../audit/activity-log.js';
import { actorOf } from '../../administration/user-administration.js';
import { BeatsBalances } from '../../beats/beats-balance.js';
import { BeatsExhausted } from '../../beats/beats-exhausted.js';
import { TenantContext } from '../../db/tenant-context.js';
import { TenantScopedRepository } from '../../db/tenant-scoped.repository.js';
import { User } from '../../identity/user.entity.js';
import type { Locale } from '../../i18n/locale.js';
import { translate } from '../../i18n/translate.js';
import { MailboxOffice } from '../../mailboxes/mailbox.entity.js';
import { MessageCorrelation } from '../../process/message-correlation.js';
import { ProcessRuntime } from '../../process/process-runtime.js';
import { Tenant } from '../../tenancy/tenant.entity.js';
import { CampaignViews } from '../campaign-views.js';
import type { Campaign } from '../campaign.entities.js';
import type { CampaignView } from '../campaign-input.js';
import { CampaignRepository } from '../campaign.repository.js';
import { CampaignSending } from '../sending/campaign-sending.js';
import type { CampaignStatus } from '../campaign-states.js';
import { DEFAULT_CAMPAIGNS_SETTINGS, officeManagers } from './approval-settings.js';
import type { LifecycleEventKind } from './lifecycle-event.entity.js';
import { lifecyclePage } from './lifecycle-page.js';
import { LifecycleEventRepository } from './lifecycle-events.js';

/** The process every campaign start runs (workflows/campaigns/mass-send.bpmn), with business key `campaign:<id>`. */
export const MASS_SEND_PROCESS = 'mass-send';
export const businessKeyOf = (campaignId: string): string => `campaign:${campaignId}`;

/** The states a campaign can be cancelled from here: before its launch. Once launched, the sending pipeline cancels. */
const BEFORE_LAUNCH: CampaignStatus[] = ['awaiting-approval', 'scheduled'];

export const startSchema = z.strictObject({
  /** When to launch once approved; absent or past: as soon as it is approved. */
  scheduledAt: z.iso.datetime({ offset: true }).optional(),
});

export interface StartedCampaign {
  id: string;
  status: CampaignStatus;
  processInstanceId: string;
  approvalLevels: number;
}

export interface LifecycleEventView {
  event: LifecycleEventKind;
  level: number | null;
  actor: { id: string; name: string; email: string } | null;
  reason: string | null;
  at: string;
}

export interface ApprovalView {
  id: string;
  status: CampaignStatus;
  approvalLevels: number;
  /** The level waiting for a decision while `awaiting-approval`; null otherwise. */
  pendingLevel: number | null;
  scheduledAt: string | null;
  /** Why the campaign is a draft again (the last rejection or refused launch), when it is. */
  returnedBecause: LifecycleEventView | null;
  history: LifecycleEventView[];
}

/**
 * A campaign from draft to launch (docs/decisions/0028): start submits it to the mass-send process — approval
 * levels from the tenant's file, the first level's approvers the managers of its mailbox's offices unless the file
 * names others — and cancel, before the launch, ends that process and closes its open approval tasks.
 */
@Injectable()
export class CampaignLifecycle {
  private readonly users: TenantScopedRepository<User>;
  private readonly mailboxOffices: TenantScopedRepository<MailboxOffice>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly campaigns: CampaignRepository,
    private readonly views: CampaignViews,
    private readonly events: LifecycleEventRepository,
    private readonly runtime: ProcessRuntime,
    private readonly messages: MessageCorrelation,
    private readonly activity: ActivityLog,
    private readonly officeTrees: OfficeTreeLoader,
    private readonly balances: BeatsBalances,
    private readonly sending: CampaignSending,
  ) {
    this.users = new TenantScopedRepository(dataSource, User);
    this.mailboxOffices = new TenantScopedRepository(dataSource, MailboxOffice);
  }

  /**
   * Submits a draft whose import is done and has a valid recipient: it leaves `draft` at once (awaiting approval,
   * or scheduled when no approval is needed), so a second start is a 409, and the process starts.
   */
  async start(principal: Principal, id: string, body: unknown, locale: Locale): Promise<StartedCampaign> {
    const campaign = await this.views.find(principal, id, 'act');
    const input = parseFields(startSchema, body ?? {}, locale);
    if (campaign.status !== 'draft') throw conflict(locale, 'campaigns.lifecycle.error.notDraft');
    if (campaign.importState !== 'done') throw conflict(locale, 'campaigns.error.importNotDone');
    if (campaign.recipientsTotal === 0) throw conflict(locale, 'campaigns.lifecycle.error.noRecipients');
    // Refused at once rather than after an approval: the launch reserves the beats again (they may have gone meanwhile).
    const needed = campaign.recipientsTotal * campaign.beatsPerRecipient;
    const { available } = await this.balances.current();
    if (needed > available) throw new BeatsExhausted('pec.send', needed, Math.max(available, 0), needed - Math.max(available, 0));
    const settings = await this.settings();
    const levels = settings.approval.levels;
    const status: CampaignStatus = levels > 0 ? 'awaiting-approval' : 'scheduled';
    const scheduledAt = input.scheduledAt ? new Date(input.scheduledAt) : null;
    const claimed = await this.campaigns.update(
      { id, status: 'draft' },
      { status, scheduledAt, approval: { levels }, updatedAt: new Date() },
    );
    if (claimed === 0) throw conflict(locale, 'campaigns.lifecycle.error.notDraft');
    const submitted = await this.events.insert({ campaignId: id, event: 'submitted', actorId: principal.userId });
    const variables = {
      campaignId: id,
      campaignName: campaign.name,
      levels,
      authorId: campaign.createdBy,
      submittedBy: principal.userId,
      firstApprovers: settings.approval.firstApprovers ?? ((await this.mailboxManagers(campaign)) || settings.approval.secondApprovers),
      secondApprovers: settings.approval.secondApprovers,
    };
    let instance;
    try {
      // One instance per submission: a resubmission after a rejection is a new submitted event, so a new key.
      instance = await this.runtime.start(MASS_SEND_PROCESS, businessKeyOf(id), variables, principal, {
        startKey: `campaign-start:${submitted.id}`,
      });
    } catch (error) {
      // No process (the workspace lacks the campaigns solution) or an engine fault: the draft stays a draft.
      await this.campaigns.update({ id, status }, { status: 'draft' });
      await this.events.delete({ id: submitted.id });
      if (error instanceof ProblemException && error.getStatus() === 422) throw conflict(locale, 'campaigns.lifecycle.error.noProcess');
      throw error;
    }
    await this.activity.record({
      action: 'campaign.submitted',
      actor: { id: principal.userId, email: principal.email },
      resource: { type: 'campaign', id },
      details: { levels, scheduledAt: scheduledAt?.toISOString() ?? null, processInstanceId: instance.id },
    });
    const after = await this.campaigns.findOne({ id });
    return { id, status: after?.status ?? status, processInstanceId: instance.id, approvalLevels: levels };
  }

  /**
   * The API's and the page's cancel: before the launch the process ends; once sending or paused the pipeline stops.
   * 404 when the caller cannot act on the campaign, 409 in draft or once monitoring, closed or cancelled.
   */
  async cancel(principal: Principal, id: string, locale: Locale): Promise<{ id: string; status: CampaignStatus }> {
    await this.views.find(principal, id, 'act');
    if (await this.cancelBeforeLaunch(id, principal)) return { id, status: 'cancelled' };
    // Launched: the pipeline stops sending and gives back the beats still reserved (409 once it is past cancelling).
    return this.sending.cancel(id, actorOf(principal), locale);
  }

  /** The page's pause and resume (the API's are the pipeline's own routes): 404 unless the caller may act on the campaign. */
  async pause(principal: Principal, id: string, locale: Locale): Promise<{ id: string; status: CampaignStatus }> {
    await this.views.find(principal, id, 'act');
    return this.sending.pause(id, actorOf(principal), locale);
  }

  async resume(principal: Principal, id: string, locale: Locale): Promise<{ id: string; status: CampaignStatus }> {
    await this.views.find(principal, id, 'act');
    return this.sending.resume(id, actorOf(principal), locale);
  }

  /**
   * Cancels a campaign still awaiting approval or its scheduled time, in the tenant in context: the status first
   * (so a process step running meanwhile sees it and stops), then the `campaign-cancelled` message ends the process
   * and cancels its open tasks. False when the campaign is not before its launch (the sending pipeline's cancel
   * handles launched ones). The caller has checked that `principal` may act on the campaign.
   */
  async cancelBeforeLaunch(id: string, principal: Principal): Promise<boolean> {
    const cancelled = await this.campaigns.update(
      BEFORE_LAUNCH.map((status) => ({ id, status })),
      { status: 'cancelled', updatedAt: new Date() },
    );
    if (cancelled === 0) return false;
    await this.events.insert({ campaignId: id, event: 'cancelled', actorId: principal.userId });
    try {
      await this.messages.correlate({ messageName: 'campaign-cancelled', businessKey: businessKeyOf(id), variables: {} }, principal);
    } catch (error) {
      // Between two steps (a decision being recorded, the launch): the next step reads the status and ends the process.
      if (!(error instanceof ProblemException && error.problemType === 'no-waiting-instance')) throw error;
    }
    await this.activity.record({
      action: 'campaign.cancelled',
      actor: { id: principal.userId, email: principal.email },
      resource: { type: 'campaign', id },
    });
    return true;
  }

  /** Approval levels (a draft's: those a start would apply), where the approval stands, and the history of decisions, for whoever sees the campaign. */
  async approval(principal: Principal, id: string): Promise<ApprovalView> {
    const campaign = await this.views.find(principal, id, 'see');
    const rows = await this.events.find({ campaignId: id }, { order: { createdAt: 'ASC' } });
    const actorIds = [...new Set(rows.flatMap((row) => (row.actorId ? [row.actorId] : [])))];
    const people = actorIds.length > 0 ? await this.users.find({ id: In(actorIds) }) : [];
    const byId = new Map(people.map((user) => [user.id, user]));
    const history: LifecycleEventView[] = rows.map((row) => {
      const user = row.actorId ? byId.get(row.actorId) : undefined;
      return {
        event: row.event,
        level: row.level,
        actor: user ? { id: user.id, name: user.displayName, email: user.email } : null,
        reason: row.reason,
        at: row.createdAt.toISOString(),
      };
    });
    const sinceSubmission = history.slice(history.map((e) => e.event).lastIndexOf('submitted') + 1);
    const last = history.at(-1) ?? null;
    return {
      id,
      status: campaign.status,
      // A draft will need the tenant's levels when started; a submitted campaign keeps those it was submitted with.
      approvalLevels: campaign.status === 'draft' ? (await this.settings()).approval.levels : campaign.approval.levels,
      pendingLevel: campaign.status === 'awaiting-approval' ? sinceSubmission.filter((e) => e.event === 'approved').length + 1 : null,
      scheduledAt: campaign.scheduledAt?.toISOString() ?? null,
      returnedBecause: campaign.status === 'draft' && last && (last.event === 'rejected' || last.event === 'launch-refused') ? last : null,
      history,
    };
  }

  /** The campaign page's lifecycle section (partials/campaign-lifecycle.hbs); `notice` is the page's `?lifecycle=`. */
  async page(principal: Principal, campaign: CampaignView, locale: Locale, notice: unknown): Promise<ReturnType<typeof lifecyclePage>> {
    const canAct = await this.views.find(principal, campaign.id, 'act').then(
      () => true,
      () => false,
    );
    const importDone = campaign.import.state === 'done';
    return lifecyclePage(locale, await this.approval(principal, campaign.id), {
      canAct,
      importDone,
      recipients: campaign.recipients ?? 0,
      notice,
    });
  }

  private async settings() {
    const tenant = await this.dataSource
      .getRepository(Tenant)
      .findOne({ where: { id: TenantContext.current().tenantId }, select: { id: true, campaigns: true } });
    return tenant?.campaigns ?? DEFAULT_CAMPAIGNS_SETTINGS;
  }

  /** `role:manager@<path>` for each office of the campaign's mailbox ('' when it has none). */
  private async mailboxManagers(campaign: Campaign): Promise<string> {
    const assigned = await this.mailboxOffices.find({ mailboxId: campaign.mailboxId });
    if (assigned.length === 0) return '';
    const tree = await this.officeTrees.load();
    return officeManagers(assigned.map((row) => tree.path(row.officeId)).sort());
  }
}

function conflict(locale: Locale, key: Parameters<typeof translate>[1]): ProblemException {
  return new ProblemException(409, 'conflict', translate(locale, key));
}
