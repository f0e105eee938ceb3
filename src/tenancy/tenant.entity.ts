import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { TenantSso } from '../identity/saml/tenant-sso.js';
import type { CampaignsSettings } from '../campaigns/lifecycle/approval-settings.js';
import type { PecIntakeSettings, WorkspaceRoutingRule } from '../pec/intake-flow/routing-rules.js';

/** A customer workspace, synced from tenants/<slug>.yaml. */
@Entity({ name: 'tenants' })
export class Tenant {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text', unique: true })
  slug!: string;

  @Column({ type: 'text' })
  name!: string;

  /** Custom domains (besides <slug>.<BASE_DOMAIN>), lower case. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  domains!: string[];

  @Column({ type: 'text' })
  theme!: string;

  @Column({ name: 'default_locale', type: 'text' })
  defaultLocale!: 'it' | 'en';

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  solutions!: string[];

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  /** Single sign-on (SAML, ADFS) from the file's `sso` section, with the IdP read from its metadata; null when off. */
  @Column({ type: 'jsonb', nullable: true })
  sso!: TenantSso | null;

  /** Contract prices overriding the platform price list, beats per unit by plug (tenants/<slug>.yaml `beats.prices`). */
  @Column({ name: 'beat_prices', type: 'jsonb', default: () => "'{}'" })
  beatPrices!: Record<string, number>;
  /** The file's `pecIntake` section (routing rules, fallback office, take-in-charge limit); null: the defaults. */
  @Column({ name: 'pec_intake', type: 'jsonb', nullable: true })
  pecIntake!: PecIntakeSettings | null;
  /** Routing rules the workspace's admins edit in the web shell, tried before the file's (decision 0033). */
  @Column({ name: 'pec_routing_rules', type: 'jsonb', default: () => "'[]'" })
  routingRules!: WorkspaceRoutingRule[];

  /** The file's `campaigns` section (approval levels and approvers, docs/decisions/0028); null: no approval. */
  @Column({ type: 'jsonb', nullable: true })
  campaigns!: CampaignsSettings | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
