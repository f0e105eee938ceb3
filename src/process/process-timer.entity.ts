import { Column, Entity } from 'typeorm';
import { TenantOwnedEntity } from '../db/tenant-owned.entity.js';

export type TimerState = 'scheduled' | 'fired' | 'cancelled';

/** A timer an instance waits on; its id is also the id of the BullMQ delayed job that wakes the instance. */
@Entity({ name: 'process_timers' })
export class ProcessTimer extends TenantOwnedEntity {
  @Column({ name: 'instance_id', type: 'uuid' })
  instanceId!: string;

  /** The timer event (catch or boundary) in the BPMN. */
  @Column({ name: 'element_id', type: 'text' })
  elementId!: string;

  /** The engine's execution id of the timer event definition: how the saved state names this timer. */
  @Column({ name: 'execution_id', type: 'text' })
  executionId!: string;

  /** The BPMN due time (the engine's expireAt), whatever PROCESS_CLOCK_FACTOR does to the job's delay. */
  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt!: Date;

  @Column({ type: 'text' })
  state!: TimerState;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'fired_at', type: 'timestamptz', nullable: true })
  firedAt!: Date | null;
}
