import { Column, Entity } from 'typeorm';
import { TenantOwnedEntity } from '../db/tenant-owned.entity.js';

export type InstanceStatus = 'running' | 'waiting' | 'completed' | 'failed';

/** A JSON object as jsonb gives it back. */
export type JsonObject = Record<string, unknown>;

/** One run of a process definition. The engine is not kept in memory: it is rebuilt from `state` at every step. */
@Entity({ name: 'process_instances' })
export class ProcessInstance extends TenantOwnedEntity {
  @Column({ name: 'definition_id', type: 'uuid' })
  definitionId!: string;

  @Column({ name: 'business_key', type: 'text', nullable: true })
  businessKey!: string | null;

  @Column({ type: 'text' })
  status!: InstanceStatus;

  /** bpmn-engine's getState() without `definitions[].source`: the BPMN lives once, on the definition row. */
  @Column({ type: 'jsonb' })
  state!: JsonObject;

  /** The instance's variables: what it started with plus every form submitted; conditions read these. */
  @Column({ type: 'jsonb' })
  variables!: JsonObject;

  @Column({ name: 'active_elements', type: 'text', array: true })
  activeElements!: string[];

  /** The names of the messages the instance waits on now (catch, boundary, receive task): what correlation looks up. */
  @Column({ name: 'waiting_messages', type: 'text', array: true, default: () => "'{}'" })
  waitingMessages!: string[];

  /** The names of the bpmn:signals the waiting elements catch (catch, boundary, event-based gateway branch): what a broadcast looks up. */
  @Column({ name: 'waiting_signals', type: 'text', array: true, default: () => "'{}'" })
  waitingSignals!: string[];

  /** Why the instance failed (status failed), for whoever looks at it. */
  @Column({ type: 'text', nullable: true })
  failure!: string | null;

  /** Optimistic lock: every save is conditional on the version read and increments it. */
  @Column({ type: 'integer' })
  version!: number;

  /** Set when another process's call-process plug started it: that call's idempotency key, so it never starts twice. */
  @Column({ name: 'start_key', type: 'text', nullable: true })
  startKey!: string | null;

  @Column({ name: 'started_by', type: 'uuid', nullable: true })
  startedBy!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;
}
