import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module.js';
import { ProcessDefinitionsApiController } from './process-definitions.api.controller.js';
import { ProcessDefinitionsModule } from './process-definitions.module.js';

/** The process runtime's web side: today the definitions API (deploy, list, versions, BPMN). */
@Module({
  imports: [ProcessDefinitionsModule, IdentityModule],
  controllers: [ProcessDefinitionsApiController],
})
export class ProcessModule {}
