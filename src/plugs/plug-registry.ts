import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { PLATFORM_PRICES } from '../beats/price-list.js';
import { PLUG, type Plug } from './plug.js';

/** Every plug of the application by name, found among the providers marked @RegisterPlug(). */
@Injectable()
export class PlugRegistry implements OnApplicationBootstrap {
  private readonly plugs = new Map<string, Plug>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getProviders()) {
      if (!wrapper.metatype || !wrapper.instance || !this.reflector.get<boolean | undefined>(PLUG, wrapper.metatype)) continue;
      const plug = wrapper.instance as Plug;
      const known = this.plugs.get(plug.name);
      // The same provider can be listed by several modules; two classes claiming one name is a bug.
      if (known && known !== plug) throw new Error(`two plugs named ${plug.name}`);
      // A chargeable capability must not run for free because someone forgot to price it.
      if (PLATFORM_PRICES[plug.name] === undefined) throw new Error(`plug ${plug.name} has no price in src/beats/price-list.ts`);
      this.plugs.set(plug.name, plug);
    }
  }

  get(name: string): Plug | undefined {
    return this.plugs.get(name);
  }

  /** The names a model may use as camunda:topic. */
  names(): ReadonlySet<string> {
    return new Set(this.plugs.keys());
  }
}
