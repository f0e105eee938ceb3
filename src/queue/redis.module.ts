import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';

/** The shared ioredis connection for counters and locks (BullMQ opens its own). */
export const REDIS = Symbol('REDIS');

/** A new connection; BullMQ needs maxRetriesPerRequest: null so a Redis restart blocks rather than fails jobs. */
export function connectRedis(config: AppConfig): Redis {
  return new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
}

@Global()
@Module({
  providers: [{ provide: REDIS, inject: [APP_CONFIG], useFactory: connectRedis }],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
