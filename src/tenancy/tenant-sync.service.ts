import { Inject, Injectable, Logger } from '@nestjs/common';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { OrganisationService } from '../access/organisation.service.js';
import { BeatPacks } from '../beats/beat-packs.js';
import { TenantContext } from '../db/tenant-context.js';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';
import { WorkflowDeployment } from '../process/workflow-deployment.js';
import { readTenantFiles } from './tenant-file.js';
import { Tenant } from './tenant.entity.js';
import { ThemeCatalogue } from './theme-catalogue.js';

export interface SyncReport {
  created: string[];
  updated: string[];
  disabled: string[];
}

/**
 * Makes the tenants table match tenants/*.yaml. A tenant whose file disappeared is disabled, not
 * deleted: its data stays until someone decides otherwise.
 */
@Injectable()
export class TenantSyncService {
  private readonly logger = new Logger(TenantSyncService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly themes: ThemeCatalogue,
    private readonly organisation: OrganisationService,
    private readonly workflows: WorkflowDeployment,
    private readonly packs: BeatPacks,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async sync(): Promise<SyncReport> {
    const definitions = await readTenantFiles(path.resolve(this.config.TENANTS_DIR));
    for (const definition of definitions) await this.themes.get(definition.theme);
    const report: SyncReport = { created: [], updated: [], disabled: [] };
    await this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(Tenant);
      const existing = new Map((await repository.find()).map((tenant) => [tenant.slug, tenant]));
      for (const definition of definitions) {
        const values = {
          slug: definition.slug,
          name: definition.name,
          domains: definition.domains,
          theme: definition.theme,
          defaultLocale: definition.locale,
          solutions: definition.solutions,
          enabled: definition.enabled,
          sso: definition.sso,
          beatPrices: definition.beats.prices,
          pecIntake: definition.pecIntake ?? null,
          campaigns: definition.campaigns ?? null,
        };
        // An upsert, so replicas starting together cannot trip over each other's insert.
        await repository.upsert(values, ['slug']);
        (existing.has(definition.slug) ? report.updated : report.created).push(definition.slug);
        existing.delete(definition.slug);
      }
      for (const orphan of existing.values()) {
        if (!orphan.enabled) continue;
        await repository.update({ id: orphan.id }, { enabled: false });
        report.disabled.push(orphan.slug);
      }
    });
    const contracts = new Map(definitions.map((definition) => [definition.slug, definition.beats.packs]));
    for (const tenant of await this.dataSource.getRepository(Tenant).find()) {
      await TenantContext.run({ tenantId: tenant.id, slug: tenant.slug }, async () => {
        await this.organisation.ensureBuiltinRoles();
        // Keyed by the pack's id in the file: a pack is added at the first sync that sees it, once.
        for (const pack of contracts.get(tenant.slug) ?? []) await this.packs.addHere({ ...pack, key: `tenant-file:${pack.id}` }, 'system');
      });
    }
    // The workspaces' solutions decide which workflows/ files they get; a broken file stops the sync.
    await this.workflows.deployAll();
    this.logger.log(`tenants synced: ${JSON.stringify(report)}`);
    return report;
  }
}
