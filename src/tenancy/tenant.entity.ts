import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { TenantSso } from '../identity/saml/tenant-sso.js';

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

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
