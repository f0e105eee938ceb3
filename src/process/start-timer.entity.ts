import { Column, Entity } from 'typeorm';
import { TenantOwnedEntity } from '../db/tenant-owned.entity.js';
import type { TimerState } from './process-timer.entity.js';

/** One firing of a timer start event of a definition version; its id names the BullMQ job (`start-<id>`). */
@Entity({ name: 'process_start_timers' })
export class ProcessStartTimer extends TenantOwnedEntity {
  @Column({ name: 'definition_id', type: 'uuid' })
  definitionId!: string;

  /** The start event in the BPMN. */
  @Column({ name: 'element_id', type: 'text' })
  elementId!: string;

  /** 1 for the first firing of this version's start event, then 2, 3… (a cycle). */
  @Column({ type: 'integer' })
  firing!: number;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt!: Date;

  @Column({ type: 'text' })
  state!: TimerState;

  /** The instance this firing started. */
  @Column({ name: 'instance_id', type: 'uuid', nullable: true })
  instanceId!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'fired_at', type: 'timestamptz', nullable: true })
  firedAt!: Date | null;
}
