import { Column, Entity } from 'typeorm';
import { TenantOwnedEntity } from '../db/tenant-owned.entity.js';
import type { JsonObject } from './process-instance.entity.js';

export type TaskState = 'open' | 'claimed' | 'completed' | 'cancelled';

/** A user task a process waits on: who may take it (presa in carico), who has, and what was submitted. */
@Entity({ name: 'tasks' })
export class Task extends TenantOwnedEntity {
  @Column({ name: 'instance_id', type: 'uuid' })
  instanceId!: string;

  @Column({ name: 'element_id', type: 'text' })
  elementId!: string;

  @Column({ type: 'text', nullable: true })
  name!: string | null;

  /** The engine's id of the waiting execution: what completing the task signals. */
  @Column({ name: 'execution_id', type: 'text' })
  executionId!: string;

  /** camunda:candidateGroups as written in the model. */
  @Column({ name: 'candidate_groups', type: 'text', nullable: true })
  candidateGroups!: string | null;

  /** The people the candidate groups (or assignee) stood for when the task was created. */
  @Column({ name: 'candidate_user_ids', type: 'uuid', array: true })
  candidateUserIds!: string[];

  @Column({ type: 'uuid', nullable: true })
  assignee!: string | null;

  @Column({ type: 'text' })
  state!: TaskState;

  @Column({ name: 'form_key', type: 'text', nullable: true })
  formKey!: string | null;

  @Column({ name: 'due_at', type: 'timestamptz', nullable: true })
  dueAt!: Date | null;

  @Column({ type: 'integer', default: 50 })
  priority!: number;

  @Column({ type: 'jsonb', nullable: true })
  data!: JsonObject | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'claimed_at', type: 'timestamptz', nullable: true })
  claimedAt!: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @Column({ name: 'completed_by', type: 'uuid', nullable: true })
  completedBy!: string | null;

  /** When a boundary timer first fired while nobody had taken the task in charge (task-escalation.ts). */
  @Column({ name: 'escalated_at', type: 'timestamptz', nullable: true })
  escalatedAt!: Date | null;
}
