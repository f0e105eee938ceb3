import { configSchema, type AppConfig } from './config.schema.js';

export class ConfigError extends Error {}

/** Validates the environment once; a bad or missing variable stops the start with its name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = configSchema.safeParse(env);
  if (parsed.success) {
    if (parsed.data.NODE_ENV === 'production' && parsed.data.SESSION_SECRET === configSchema.shape.SESSION_SECRET.parse(undefined)) {
      throw new ConfigError('Invalid configuration:\n  SESSION_SECRET: the development default cannot be used in production');
    }
    return Object.freeze(parsed.data);
  }
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}
