import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuditModule } from '../audit/audit.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { AuthTokenController } from './auth-token.controller.js';
import { MeController } from './me.controller.js';
import { ProblemFilter } from './problem.filter.js';

@Module({
  imports: [AuditModule, IdentityModule],
  controllers: [AuthTokenController, MeController],
  providers: [{ provide: APP_FILTER, useClass: ProblemFilter }],
})
export class ApiModule {}
