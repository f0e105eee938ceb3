import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { ProcessDefinitionsModule } from '../process/process-definitions.module.js';
import { TenantResolver } from './tenant-resolver.js';
import { TenantResolverMiddleware } from './tenant-resolver.middleware.js';
import { TenantSyncService } from './tenant-sync.service.js';
import { ThemeCatalogue } from './theme-catalogue.js';
import { ThemeController } from './theme.controller.js';

@Module({
  imports: [AccessModule, ProcessDefinitionsModule],
  controllers: [ThemeController],
  providers: [TenantResolver, TenantResolverMiddleware, TenantSyncService, ThemeCatalogue],
  exports: [TenantResolver, TenantResolverMiddleware, TenantSyncService, ThemeCatalogue],
})
export class TenancyModule {}
