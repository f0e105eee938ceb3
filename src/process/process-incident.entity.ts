import { Column, Entity } from 'typeorm';
import { TenantOwnedEntity } from '../db/tenant-owned.entity.js';

/** open: the instance is stuck on it; retried: an admin sent the call again; cancelled: the task went away. */
export type IncidentState = 'open' | 'retried' | 'cancelled';

/** A service task whose plug call kept failing (or threw a BPMN error nobody catches): for an admin to look at and retry. */
@Entity({ name: 'process_incidents' })
export class ProcessIncident extends TenantOwnedEntity {
  @Column({ name: 'instance_id', type: 'uuid' })
  instanceId!: string;

  @Column({ name: 'service_job_id', type: 'uuid' })
  serviceJobId!: string;

  @Column({ name: 'element_id', type: 'text' })
  elementId!: string;

  @Column({ type: 'text' })
  topic!: string;

  @Column({ type: 'text' })
  error!: string;

  /** The BPMN error code, when the plug answered a business error no boundary event catches. */
  @Column({ name: 'error_code', type: 'text', nullable: true })
  errorCode!: string | null;

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ type: 'text' })
  state!: IncidentState;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @Column({ name: 'resolved_by', type: 'uuid', nullable: true })
  resolvedBy!: string | null;
}
