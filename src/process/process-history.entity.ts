import { Column, Entity } from 'typeorm';
import { TenantOwnedEntity } from '../db/tenant-owned.entity.js';
import type { JsonObject } from './process-instance.entity.js';

/** What happened: to a BPMN element (engine), to a task (people), or to the instance as a whole. */
export const HISTORY_EVENTS = [
  'instance-started',
  'instance-completed',
  'instance-failed',
  'started',
  'completed',
  'cancelled',
  'timer-fired',
  'message-correlated',
  'signal-received',
  'task-created',
  'task-claimed',
  'task-released',
  'task-completed',
  'task-cancelled',
  'task-delegated',
  'task-annotated',
  'task-attached',
  'task-escalated',
] as const;
export type HistoryEvent = (typeof HISTORY_EVENTS)[number];

/**
 * One line of a process instance's history, append-only. Written in the transaction of the step or
 * task action it records, so a step that rolled back left no line and a committed one left its lines once.
 */
@Entity({ name: 'process_history' })
export class ProcessHistoryEntry extends TenantOwnedEntity {
  /** Insertion order: the order of the lines within a step and across the steps of one instance. */
  @Column({ type: 'bigint', insert: false, update: false })
  seq!: string;

  @Column({ name: 'instance_id', type: 'uuid' })
  instanceId!: string;

  @Column({ name: 'task_id', type: 'uuid', nullable: true })
  taskId!: string | null;

  @Column({ name: 'element_id', type: 'text', nullable: true })
  elementId!: string | null;

  @Column({ name: 'element_type', type: 'text', nullable: true })
  elementType!: string | null;

  @Column({ name: 'element_name', type: 'text', nullable: true })
  elementName!: string | null;

  @Column({ type: 'text' })
  event!: HistoryEvent;

  /** The person who did it; null for what the engine did on its own (a timer, the next element starting). */
  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId!: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  details!: JsonObject;
}
