import { Module } from '@nestjs/common';
import { registerResource } from '../access/visibility.js';
import { ProcessDefinitionRepository } from './process-definition.repository.js';
import { ProcessDefinitions } from './process-definitions.js';
import { WorkflowDeployment } from './workflow-deployment.js';

// Definitions are workspace-wide: no owner, no office; only an `all` scope reaches them.
registerResource('process-definition', { owner: () => 'NULL', inOffices: () => 'false' });

/**
 * Versioned BPMN definitions: validation, storage, deployment of workflows/. No controllers, so that
 * tenant sync (web role and command line alike) can deploy without pulling in the HTTP API.
 */
@Module({
  providers: [ProcessDefinitionRepository, ProcessDefinitions, WorkflowDeployment],
  exports: [ProcessDefinitions, WorkflowDeployment, ProcessDefinitionRepository],
})
export class ProcessDefinitionsModule {}
