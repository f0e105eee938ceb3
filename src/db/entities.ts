import { Tenant } from '../tenancy/tenant.entity.js';
import { User } from '../identity/user.entity.js';
import { Session } from '../identity/session.entity.js';
import { PasswordReset } from '../identity/password-reset.entity.js';
import { Office } from '../access/office.entity.js';
import { Role } from '../access/role.entity.js';
import { Membership } from '../access/membership.entity.js';
import { Group, GroupMember } from '../access/group.entity.js';
import { ActivityEntry } from '../audit/activity-entry.entity.js';
import { WorkspacePolicy } from '../policies/workspace-policy.entity.js';
import { ProcessDefinition } from '../process/process-definition.entity.js';
import { ProcessInstance } from '../process/process-instance.entity.js';
import { Task } from '../process/task.entity.js';
import { ProcessTimer } from '../process/process-timer.entity.js';
import { CorrelatedMessage } from '../process/correlated-message.entity.js';
import { DeliveredSignal } from '../process/delivered-signal.entity.js';
import { ThrownSignal } from '../process/thrown-signal.entity.js';
import { SolutionRecord } from '../solutions/solution-record.entity.js';
import { ProcessHistoryEntry } from '../process/process-history.entity.js';
import { TaskAnnotation, TaskAttachment, TaskEscalation } from '../process/task-work.entities.js';
import { ProcessStartTimer } from '../process/start-timer.entity.js';
import { ServiceJob } from '../process/service-job.entity.js';
import { ProcessIncident } from '../process/process-incident.entity.js';
import { PlugEffect } from '../plugs/plug-effect.entity.js';
import { Mailbox, MailboxOffice } from '../mailboxes/mailbox.entity.js';
import { PecMessage, PecReceipt, PecRecipientEvent, PecRecipientRow } from '../pec/store/pec-message.entities.js';
import { InboundMessage, IntakeCheckpoint } from '../pec/intake/inbound-message.entity.js';
import { BeatAccount, BeatLedgerEntry, BeatPack, BeatReservation } from '../beats/beats.entities.js';
import { IntakeStart } from '../pec/intake-flow/intake-start.entity.js';
import { BeatAlertSettings, BeatPackWarning } from '../beats/beat-alerts.entities.js';
import { Campaign, CampaignFile, CampaignRecipient } from '../campaigns/campaign.entities.js';
import { CampaignLifecycleEvent } from '../campaigns/lifecycle/lifecycle-event.entity.js';

/** Every TypeORM entity; a module adds its own here when it adds a table. */
export const entities = [
  Tenant,
  User,
  Session,
  PasswordReset,
  Office,
  Role,
  Membership,
  Group,
  GroupMember,
  ActivityEntry,
  WorkspacePolicy,
  ProcessDefinition,
  ProcessInstance,
  Task,
  ProcessTimer,
  CorrelatedMessage,
  DeliveredSignal,
  ThrownSignal,
  SolutionRecord,
  ProcessHistoryEntry,
  TaskAnnotation,
  TaskAttachment,
  TaskEscalation,
  ProcessStartTimer,
  ServiceJob,
  ProcessIncident,
  PlugEffect,
  Mailbox,
  MailboxOffice,
  PecMessage,
  PecRecipientRow,
  PecRecipientEvent,
  PecReceipt,
  InboundMessage,
  IntakeCheckpoint,
  BeatAccount,
  BeatPack,
  BeatReservation,
  BeatLedgerEntry,
  IntakeStart,
  BeatAlertSettings,
  BeatPackWarning,
  Campaign,
  CampaignRecipient,
  CampaignFile,
  CampaignLifecycleEvent,
];
