import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditModule } from '../audit/audit.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { TenancyModule } from '../tenancy/tenancy.module.js';
import { Csrf, CsrfGuard } from './csrf.js';
import { DesktopController } from './desktop.controller.js';
import { DesktopNoticeSources, DesktopTileSources } from './desktop-tiles.js';
import { LoginController } from './login.controller.js';
import { PageContextMiddleware } from './page-context.middleware.js';
import { PasswordController } from './password.controller.js';
import { TwoStepController } from './two-step.controller.js';

@Module({
  imports: [AuditModule, IdentityModule, TenancyModule],
  controllers: [LoginController, PasswordController, DesktopController, TwoStepController],
  providers: [Csrf, PageContextMiddleware, DesktopTileSources, DesktopNoticeSources, { provide: APP_GUARD, useClass: CsrfGuard }],
  exports: [PageContextMiddleware, Csrf, DesktopTileSources, DesktopNoticeSources],
})
export class WebModule {}
