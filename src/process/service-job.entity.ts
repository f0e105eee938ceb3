import { Column, Entity } from 'typeorm';
import { TenantOwnedEntity } from '../db/tenant-owned.entity.js';
import type { JsonObject } from './process-instance.entity.js';
import type { IoParameter } from './service-task-io.js';

/** pending: its queue job will call the plug; incident: attempts exhausted, waits for an admin's retry. */
export type ServiceJobState = 'pending' | 'completed' | 'incident' | 'cancelled';

/**
 * A service (or send) task an instance waits on: the plug call to make, recorded by the step that
 * reached the task. Its id (and `round`) name the BullMQ job; `instance_id:execution_id` is the
 * idempotency key every attempt passes to the plug.
 */
@Entity({ name: 'process_service_jobs' })
export class ServiceJob extends TenantOwnedEntity {
  @Column({ name: 'instance_id', type: 'uuid' })
  instanceId!: string;

  @Column({ name: 'element_id', type: 'text' })
  elementId!: string;

  @Column({ name: 'execution_id', type: 'text' })
  executionId!: string;

  /** camunda:topic: the plug's name. */
  @Column({ type: 'text' })
  topic!: string;

  /** The input parameters, evaluated when the task was reached. */
  @Column({ type: 'jsonb' })
  input!: JsonObject;

  /** The output parameters as modelled, evaluated against the plug's answer when it comes. */
  @Column({ type: 'jsonb' })
  outputs!: IoParameter[];

  @Column({ type: 'text' })
  state!: ServiceJobState;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** Bumped by every retry from an incident, so the new queue job does not collide with the failed one. */
  @Column({ type: 'integer', default: 0 })
  round!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

export function idempotencyKeyOf(job: Pick<ServiceJob, 'instanceId' | 'executionId'>): string {
  return `${job.instanceId}:${job.executionId}`;
}
