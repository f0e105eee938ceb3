import { Column, Entity } from 'typeorm';
import { TenantOwnedEntity } from '../db/tenant-owned.entity.js';
import type { JsonObject } from '../process/process-instance.entity.js';

/** One record of a model entity (a ticket, a request…): its fields live in `data`, valid against the entity's JSON Schema. */
@Entity({ name: 'solution_records' })
export class SolutionRecord extends TenantOwnedEntity {
  @Column({ type: 'text' })
  solution!: string;

  @Column({ type: 'text' })
  entity!: string;

  @Column({ type: 'jsonb' })
  data!: JsonObject;

  /** The owner for visibility (`own` scope). */
  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  /** The office for visibility (`office` scopes): the creator's office when they hold a role in one. */
  @Column({ name: 'office_id', type: 'uuid', nullable: true })
  officeId!: string | null;

  /** The process an action started for this record (business key = record id). */
  @Column({ name: 'process_instance_id', type: 'uuid', nullable: true })
  processInstanceId!: string | null;

  /** Optimistic lock: a patch naming an older version gets 409. */
  @Column({ type: 'integer', default: 1 })
  version!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
