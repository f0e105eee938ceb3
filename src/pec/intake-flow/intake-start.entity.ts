import { Column, Entity } from 'typeorm';
import { TenantOwnedEntity } from '../../db/tenant-owned.entity.js';

/** `started`: the intake process runs for the message; `failed`: starting it failed, to be retried (worker start, or an admin). */
export type IntakeStartState = 'started' | 'failed';

/**
 * One row per incoming PEC that should start the intake process (docs/decisions/0021): the
 * evidence that it did, or why it did not. The message itself is safe in pec_inbound_messages either way.
 */
@Entity({ name: 'pec_intake_starts' })
export class IntakeStart extends TenantOwnedEntity {
  @Column({ name: 'inbound_message_id', type: 'uuid' })
  inboundMessageId!: string;

  @Column({ type: 'text' })
  state!: IntakeStartState;

  @Column({ name: 'instance_id', type: 'uuid', nullable: true })
  instanceId!: string | null;

  /** The last failure, in the operator's words (no message content). */
  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
