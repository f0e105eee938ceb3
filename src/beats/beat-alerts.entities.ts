import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { TenantOwned } from '../db/tenant-scoped.repository.js';

/** A workspace's low-balance threshold, and whether its available beats are below it now. */
@Entity({ name: 'beat_alert_settings' })
export class BeatAlertSettings implements TenantOwned {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  /** Alert when available beats go below this; null: no alert. */
  @Column({ name: 'low_balance', type: 'integer', nullable: true })
  lowBalance!: number | null;

  /** When available beats last went below the threshold (the alert was sent then); null while above. */
  @Column({ name: 'low_since', type: 'timestamptz', nullable: true })
  lowSince!: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** A pack expiry warning sent: one per pack and number of days before expiry. */
@Entity({ name: 'beat_pack_warnings' })
export class BeatPackWarning implements TenantOwned {
  @PrimaryColumn({ name: 'pack_id', type: 'uuid' })
  packId!: string;

  @PrimaryColumn({ type: 'integer' })
  days!: number;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'warned_at', type: 'timestamptz' })
  warnedAt!: Date;
}
