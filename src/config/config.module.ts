import { Global, Module } from '@nestjs/common';
import { loadConfig } from './load-config.js';
import type { AppConfig } from './config.schema.js';

/** Injection token for the validated configuration object. */
export const APP_CONFIG = Symbol('APP_CONFIG');
export type { AppConfig };

@Global()
@Module({
  providers: [{ provide: APP_CONFIG, useFactory: (): AppConfig => loadConfig() }],
  exports: [APP_CONFIG],
})
export class ConfigModule {}
