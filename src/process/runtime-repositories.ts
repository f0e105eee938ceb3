import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TenantScopedRepository } from '../db/tenant-scoped.repository.js';
import { CorrelatedMessage } from './correlated-message.entity.js';
import { DeliveredSignal } from './delivered-signal.entity.js';
import { ProcessInstance } from './process-instance.entity.js';
import { ProcessTimer } from './process-timer.entity.js';
import { ProcessStartTimer } from './start-timer.entity.js';
import { Task } from './task.entity.js';
import { TaskAnnotation, TaskAttachment, TaskEscalation } from './task-work.entities.js';

@Injectable()
export class ProcessInstanceRepository extends TenantScopedRepository<ProcessInstance> {
  constructor(dataSource: DataSource) {
    super(dataSource, ProcessInstance);
  }
}

@Injectable()
export class TaskRepository extends TenantScopedRepository<Task> {
  constructor(dataSource: DataSource) {
    super(dataSource, Task);
  }
}

@Injectable()
export class ProcessTimerRepository extends TenantScopedRepository<ProcessTimer> {
  constructor(dataSource: DataSource) {
    super(dataSource, ProcessTimer);
  }
}

@Injectable()
export class CorrelatedMessageRepository extends TenantScopedRepository<CorrelatedMessage> {
  constructor(dataSource: DataSource) {
    super(dataSource, CorrelatedMessage);
  }
}

@Injectable()
export class DeliveredSignalRepository extends TenantScopedRepository<DeliveredSignal> {
  constructor(dataSource: DataSource) {
    super(dataSource, DeliveredSignal);
  }
}

@Injectable()
export class TaskAnnotationRepository extends TenantScopedRepository<TaskAnnotation> {
  constructor(dataSource: DataSource) {
    super(dataSource, TaskAnnotation);
  }
}

@Injectable()
export class TaskAttachmentRepository extends TenantScopedRepository<TaskAttachment> {
  constructor(dataSource: DataSource) {
    super(dataSource, TaskAttachment);
  }
}

@Injectable()
export class TaskEscalationRepository extends TenantScopedRepository<TaskEscalation> {
  constructor(dataSource: DataSource) {
    super(dataSource, TaskEscalation);
  }
}

@Injectable()
export class ProcessStartTimerRepository extends TenantScopedRepository<ProcessStartTimer> {
  constructor(dataSource: DataSource) {
    super(dataSource, ProcessStartTimer);
  }
}
