import { Module } from '@nestjs/common';
import { registerResource } from '../access/visibility.js';
import { IdentityModule } from '../identity/identity.module.js';
import { ProcessDefinitionsApiController } from './process-definitions.api.controller.js';
import { ProcessDefinitionsModule } from './process-definitions.module.js';
import { ProcessInstances } from './process-instances.js';
import { ProcessInstancesApiController } from './process-instances.api.controller.js';
import { ProcessRuntime } from './process-runtime.js';
import { ProcessTimers } from './process-timers.js';
import { ProcessMessagesApiController } from './process-messages.api.controller.js';
import { CorrelatedMessageRepository, ProcessInstanceRepository, ProcessTimerRepository, TaskRepository } from './runtime-repositories.js';
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
// A task is someone's when they are its assignee or one of the candidates resolved at its creation.
registerResource('task', {
  owner: (alias) => `${alias}.assignee`,
  ownedBy: (alias) => `(${alias}.assignee = :reachUser OR :reachUser = ANY(${alias}.candidate_user_ids))`,
  inOffices: () => 'false',
});

/** The process runtime's web side: definitions, instances and the task inbox (API and pages). */
@Module({
  imports: [ProcessDefinitionsModule, IdentityModule],
  controllers: [
    ProcessDefinitionsApiController,
    ProcessInstancesApiController,
    ProcessMessagesApiController,
    TasksApiController,
    TaskPagesController,
  ],
  providers: [
    ProcessInstanceRepository,
    TaskRepository,
    ProcessTimerRepository,
    CorrelatedMessageRepository,
    TaskRows,
    ProcessRuntime,
    ProcessTimers,
    TimerJobs,
    ProcessInstances,
    TaskInbox,
    TaskInboxPage,
  ],
})
export class ProcessModule {}
