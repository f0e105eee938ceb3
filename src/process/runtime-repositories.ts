import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TenantScopedRepository } from '../db/tenant-scoped.repository.js';
import { CorrelatedMessage } from './correlated-message.entity.js';
import { ProcessInstance } from './process-instance.entity.js';
import { ProcessTimer } from './process-timer.entity.js';
import { Task } from './task.entity.js';

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
