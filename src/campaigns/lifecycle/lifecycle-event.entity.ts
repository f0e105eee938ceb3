import { Column, Entity } from 'typeorm';
import { TenantOwnedEntity } from '../../db/tenant-owned.entity.js';

export const LIFECYCLE_EVENTS = ['submitted', 'approved', 'rejected', 'launch-refused', 'cancelled'] as const;
export type LifecycleEventKind = (typeof LIFECYCLE_EVENTS)[number];

/** A step of a campaign on its way to sending: the approval history the campaign page shows (docs/decisions/0028). */
@Entity({ name: 'campaign_lifecycle_events' })
export class CampaignLifecycleEvent extends TenantOwnedEntity {
  @Column({ name: 'campaign_id', type: 'uuid' })
  campaignId!: string;

  @Column({ type: 'text' })
  event!: LifecycleEventKind;

  /** The approval level (1 or 2) of an approval or rejection. */
  @Column({ type: 'integer', nullable: true })
  level!: number | null;

  /** Who did it; null for the platform (a refused launch). */
  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId!: string | null;

  /** A rejection's reason, or a refused launch's message key. */
  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  /** The approval task decided (UNIQUE): a repeated service-task call records it once. */
  @Column({ name: 'task_id', type: 'uuid', nullable: true })
  taskId!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
