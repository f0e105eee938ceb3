import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import { registerResource } from '../access/visibility.js';
import { IdentityModule } from '../identity/identity.module.js';
import { ProcessDefinitionsApiController } from './process-definitions.api.controller.js';
import { ProcessDefinitionsModule } from './process-definitions.module.js';
import { ProcessHistory, ProcessHistoryRepository } from './process-history.js';
import { ProcessHistoryApiController } from './process-history.api.controller.js';
import { ProcessInstances } from './process-instances.js';
import { ProcessInstancesApiController } from './process-instances.api.controller.js';
import { EventStarts } from './event-starts.js';
import { InstanceSteps } from './instance-steps.js';
import { MessageCorrelation } from './message-correlation.js';
import { ProcessRuntime } from './process-runtime.js';
import { StartSnapshots } from './start-snapshots.js';
import { ServiceTaskSteps } from './service-task-steps.js';
import { SignalBroadcast } from './signal-broadcast.js';
import { TaskSteps } from './task-steps.js';
import { ProcessSignalsApiController } from './process-signals.api.controller.js';
import { StartableProcesses } from './startable-processes.js';
import { VariableLimit } from './variable-limit.js';
import { ProcessSla } from './process-sla.js';
import { ProcessPages } from './process-pages.js';
import { ProcessPagesController } from './process-pages.controller.js';
import { ProcessTimers } from './process-timers.js';
import { ProcessMessagesApiController } from './process-messages.api.controller.js';
import { TaskForms } from './task-forms.js';
import { TaskLinks } from './task-links.js';
import { TaskGuards } from './task-guards.js';
import {
  CorrelatedMessageRepository,
  DeliveredSignalRepository,
  ProcessInstanceRepository,
  ProcessStartTimerRepository,
  ProcessTimerRepository,
  TaskAnnotationRepository,
  TaskAttachmentRepository,
  TaskEscalationRepository,
  TaskRepository,
} from './runtime-repositories.js';
import { IncidentPagesController } from './incident-pages.controller.js';
import { ProcessIncidents } from './process-incidents.js';
import { ProcessIncidentsApiController } from './process-incidents.api.controller.js';
import { ProcessIncidentRepository, ServiceJobRepository, ServiceJobs } from './service-jobs.js';
import { ServiceTaskJobs } from './service-task-jobs.js';
import { ThrownSignalJobs } from './thrown-signal-jobs.js';
import { ThrownSignalRepository, ThrownSignals } from './thrown-signals.js';
import { StartTimers } from './start-timers.js';
import { TaskAttachments } from './task-attachments.js';
import { TaskEscalations } from './task-escalation.js';
import { TaskNotices } from './task-notices.js';
import { TaskWork } from './task-work.js';
import { TaskWorkApiController } from './task-work.api.controller.js';
import { TaskWorkPagesController } from './task-work-pages.controller.js';
import { TaskInbox } from './task-inbox.js';
import { TaskInboxPage } from './task-inbox-page.js';
import { TaskPagesController } from './task-pages.controller.js';
import { TaskRows } from './task-rows.js';
import { TasksApiController } from './tasks.api.controller.js';
import { TimerJobs } from './timer-jobs.js';

// An instance belongs to whoever started it; it has no office of its own.
registerResource('process-instance', { owner: (alias) => `${alias}.started_by`, inOffices: () => 'false' });
// A message is delivered to instances, not kept as something anyone owns: only `act` is meaningful.
registerResource('process-message', { owner: () => 'NULL', inOffices: () => 'false' });
registerResource('process-signal', { owner: () => 'NULL', inOffices: () => 'false' });
// Service-level figures are aggregates over the workspace's tasks: no row of them is anyone's.
registerResource('process-sla', { owner: () => 'NULL', inOffices: () => 'false' });
// An incident is the workspace's, for its admins to look at and retry.
registerResource('process-incident', { owner: () => 'NULL', inOffices: () => 'false' });
// A task is someone's when they are its assignee or one of the candidates resolved at its creation,
// and it is in the offices where those candidates hold a role (an office manager's reach).
registerResource('task', {
  owner: (alias) => `${alias}.assignee`,
  ownedBy: (alias) => `(${alias}.assignee = :reachUser OR :reachUser = ANY(${alias}.candidate_user_ids))`,
  inOffices: (alias) =>
    `EXISTS (SELECT 1 FROM memberships reach_m WHERE reach_m.tenant_id = ${alias}.tenant_id AND reach_m.user_id = ANY(${alias}.candidate_user_ids) AND reach_m.office_id = ANY(:reachOffices))`,
});

/** The process runtime's web side: definitions, instances and the task inbox (API and pages). */
@Module({
  imports: [
    ProcessDefinitionsModule,
    IdentityModule,
    // Task attachments: the limit is configuration, which a decorator cannot read; a controller's own limits (BPMN upload) replace it.
    MulterModule.registerAsync({
      inject: [APP_CONFIG],
      // Browsers and curl send the filename as raw UTF-8; multer's default (latin1) would garble "è".
      useFactory: (config: AppConfig) => ({ limits: { fileSize: config.TASK_ATTACHMENT_MAX_BYTES, files: 1 }, defParamCharset: 'utf8' }),
    }),
  ],
  controllers: [
    ProcessDefinitionsApiController,
    ProcessInstancesApiController,
    ProcessMessagesApiController,
    ProcessSignalsApiController,
    ProcessHistoryApiController,
    ProcessIncidentsApiController,
    TasksApiController,
    TaskWorkApiController,
    TaskPagesController,
    ProcessPagesController,
    TaskWorkPagesController,
    IncidentPagesController,
  ],
  providers: [
    ProcessInstanceRepository,
    TaskRepository,
    ProcessTimerRepository,
    CorrelatedMessageRepository,
    DeliveredSignalRepository,
    TaskRows,
    InstanceSteps,
    ProcessRuntime,
    StartSnapshots,
    TaskSteps,
    ServiceTaskSteps,
    EventStarts,
    MessageCorrelation,
    SignalBroadcast,
    VariableLimit,
    StartableProcesses,
    ProcessTimers,
    TimerJobs,
    ServiceJobRepository,
    ProcessIncidentRepository,
    ServiceJobs,
    ServiceTaskJobs,
    ThrownSignalRepository,
    ThrownSignals,
    ThrownSignalJobs,
    ProcessIncidents,
    ProcessInstances,
    TaskInbox,
    TaskInboxPage,
    TaskForms,
    TaskLinks,
    TaskGuards,
    ProcessHistoryRepository,
    ProcessHistory,
    ProcessSla,
    ProcessPages,
    TaskAnnotationRepository,
    TaskAttachmentRepository,
    TaskEscalationRepository,
    TaskNotices,
    TaskWork,
    TaskAttachments,
    TaskEscalations,
    ProcessStartTimerRepository,
    StartTimers,
  ],
  // The solutions module starts processes from record actions, plugs its task forms in and shows a record's process.
  exports: [ProcessRuntime, TaskForms, TaskLinks, TaskGuards, ProcessInstances, TaskInbox, MessageCorrelation],
})
export class ProcessModule {}
