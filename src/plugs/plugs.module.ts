import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { IdentityModule } from '../identity/identity.module.js';
import { CallProcessPlug } from './call-process.plug.js';
import { NotifyPlug } from './notify.plug.js';
import { PlugEffectRepository, PlugEffects } from './plug-effects.js';
import { PlugInvocation } from './plug-invocation.js';
import { PlugRegistry } from './plug-registry.js';
import { SetVariablesPlug } from './set-variables.plug.js';

/**
 * Plugs: the capabilities processes (and later PEC and campaigns) call through PlugInvocation.
 * Global and part of the core, so every role (the command line's deploy included) knows the same
 * plug names when it validates a model.
 */
@Global()
@Module({
  imports: [DiscoveryModule, IdentityModule],
  providers: [PlugRegistry, PlugInvocation, PlugEffects, PlugEffectRepository, NotifyPlug, SetVariablesPlug, CallProcessPlug],
  exports: [PlugRegistry, PlugInvocation, PlugEffects],
})
export class PlugsModule {}
