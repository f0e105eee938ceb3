import { Module } from '@nestjs/common';
import { AccessModule } from '../../access/access.module.js';
import { PecRoutePlug } from './pec-route.plug.js';
import { PecRouting } from './pec-routing.js';
import { WorkspaceRoutingRules } from './workspace-routing-rules.js';

/**
 * Routing of incoming PEC to offices (docs/decisions/0021). Part of the core, like the plugs: the
 * `pec-route` plug must be known wherever workflows/pec/intake.bpmn is validated (the command line's
 * tenant sync included), and it runs in the worker.
 */
@Module({
  imports: [AccessModule],
  providers: [PecRouting, PecRoutePlug, WorkspaceRoutingRules],
  exports: [PecRouting, WorkspaceRoutingRules],
})
export class PecRoutingModule {}
