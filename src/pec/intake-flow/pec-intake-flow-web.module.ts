import { Module } from '@nestjs/common';
import { AccessModule } from '../../access/access.module.js';
import { IdentityModule } from '../../identity/identity.module.js';
import { IntakeFailuresApiController } from './intake-failures.api.controller.js';
import { IntakeFailuresPagesController } from './intake-failures-pages.controller.js';
import { PecIntakeFlowModule } from './pec-intake-flow.module.js';
import { PecRoutingApiController } from './pec-routing.api.controller.js';
import { PecRoutingPagesController } from './pec-routing-pages.controller.js';
import { PecRoutingModule } from './pec-routing.module.js';

/** The intake process's API and pages: the routing rules (edited, tested), the failed starts and their retry. */
@Module({
  imports: [PecIntakeFlowModule, PecRoutingModule, AccessModule, IdentityModule],
  controllers: [PecRoutingApiController, IntakeFailuresApiController, PecRoutingPagesController, IntakeFailuresPagesController],
})
export class PecIntakeFlowWebModule {}
