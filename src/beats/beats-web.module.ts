import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module.js';
import { BeatsApiController } from './beats.api.controller.js';
import { PlatformBeatsApiController } from './platform-beats.api.controller.js';
import { PlatformTokenGuard } from './platform-token.guard.js';

/** The beats API of the web role: a workspace's balance, and the platform operator's packs. */
@Module({
  imports: [IdentityModule],
  controllers: [BeatsApiController, PlatformBeatsApiController],
  providers: [PlatformTokenGuard],
})
export class BeatsWebModule {}
